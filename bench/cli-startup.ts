/**
 * CLI cold start: `node bin/hx.js --version` against `node -e 0` (the floor: Node itself), R runs
 * each, interleaved so load from elsewhere lands on both alike. For reference, `hx --help` (the
 * whole command tree) and `hx stats --json` on a small home (config, database open, a query).
 *
 *   R=20 node --import tsx bench/cli-startup.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { corpusOptionsFromEnv, writeExportFile } from './support/corpus.js';
import { cliImport } from './support/home.js';
import { assertBuilt, hxBin, runTimed } from './support/processes.js';
import { fmt, markdownTable, printHeader, ratio, setting, summarize, verdict } from './support/report.js';

const R = setting('R', 20);
const SMALL_HOME_NODES = setting('SMALL_N', 200);
const TARGET_MS = 150;

async function main() {
  assertBuilt();
  printHeader('CLI cold start', 'cli-startup.ts', { R });
  const dir = mkdtempSync(join(tmpdir(), 'helix-bench-cli-'));
  try {
    const home = join(dir, 'home');
    const file = join(dir, 'notes.jsonl');
    writeExportFile(file, SMALL_HOME_NODES, corpusOptionsFromEnv());
    await cliImport(home, file);

    const commands: [string, string[]][] = [
      ['`node -e 0` (floor)', ['-e', '0']],
      ['`hx --version`', [hxBin, '--version']],
      ['`hx --help`', [hxBin, '--help']],
      [`\`hx stats --json\` (${SMALL_HOME_NODES}-node home)`, [hxBin, '--home', home, 'stats', '--json']],
    ];
    const times = commands.map(() => [] as number[]);
    // one untimed round first: the page cache holds node, dist/ and node_modules afterwards
    for (const [, args] of commands) await runTimed(process.execPath, args);
    for (let r = 0; r < R; r++) {
      for (let k = 0; k < commands.length; k++) {
        const i = (r + k) % commands.length;
        const [label, args] = commands[i]!;
        const run = await runTimed(process.execPath, args);
        if (run.code !== 0) throw new Error(`${label} exited ${run.code}: ${run.stderr}`);
        times[i]!.push(run.ms);
      }
    }

    const floor = summarize(times[0]!);
    const stats = commands.map((_, i) => summarize(times[i]!));
    console.log(
      markdownTable(
        ['command', 'median ms', 'p90 ms', 'min ms', 'max ms', 'median vs floor', 'over floor (ms)'],
        commands.map(([label], i) => {
          const s = stats[i]!;
          return [
            label,
            fmt(s.p50, 1),
            fmt(s.p90, 1),
            fmt(s.min, 1),
            fmt(s.max, 1),
            ratio(s.p50, floor.p50),
            fmt(s.p50 - floor.p50, 1),
          ];
        }),
      ),
    );
    const version = stats[1]!;
    console.log('');
    console.log(
      markdownTable(
        ['target', 'measured', 'result'],
        [
          [
            `\`hx --version\` median ≤ ${TARGET_MS} ms`,
            `${fmt(version.p50, 1)} ms`,
            verdict(version.p50 <= TARGET_MS),
          ],
          [
            `\`hx --version\` p90 ≤ ${TARGET_MS} ms`,
            `${fmt(version.p90, 1)} ms`,
            verdict(version.p90 <= TARGET_MS),
          ],
        ],
      ),
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
