/**
 * Ingest: N synthetic notes written as a Helix export, imported with the real CLI in a child
 * process (`hx --home TMP import FILE --json`), against the floor of raw FTS5 inserts of the same
 * texts into a fresh SQLite file, in this process, in transactions of 1000.
 *
 *   N=100000 node --import tsx bench/ingest.ts        (BENCH_KEEP=1 keeps the home for the read benches)
 */
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { corpusOptionsFromEnv, type SyntheticNote, writeExportFile } from './support/corpus.js';
import { cliImport, sqlitePathOf } from './support/home.js';
import { assertBuilt } from './support/processes.js';
import { fmt, fmtInt, markdownTable, mib, printHeader, ratio, setting, verdict } from './support/report.js';

const N = setting('N', 100_000);
const TARGET_NODES_PER_SEC = 5000;
const TARGET_RAW_FRACTION = 1 / 3;

const fileSize = (p: string) => {
  try {
    return statSync(p).size;
  } catch {
    return 0;
  }
};

interface RawResult {
  label: string;
  ms: number;
  cpuMs: number;
  bytes: number;
}

/** The floor: nothing but FTS5 inserts, the same pragmas Helix opens with, one commit per 1000. */
function rawFts(
  dir: string,
  name: string,
  ddl: string,
  notes: SyntheticNote[],
  withTags: boolean,
): RawResult {
  const file = join(dir, `${name}.db`);
  const start = process.hrtime.bigint();
  const cpu = process.cpuUsage();
  const db = new BetterSqlite3(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(ddl);
  const insert = withTags
    ? db.prepare('INSERT INTO notes (title, content, tags) VALUES (?, ?, ?)')
    : db.prepare('INSERT INTO notes (title, content) VALUES (?, ?)');
  const batch = db.transaction((items: SyntheticNote[]) => {
    for (const n of items) {
      if (withTags) insert.run(n.title, n.content, n.tags.join(' '));
      else insert.run(n.title, n.content);
    }
  });
  for (let i = 0; i < notes.length; i += 1000) batch(notes.slice(i, i + 1000));
  db.close();
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const used = process.cpuUsage(cpu);
  return {
    label: name,
    ms,
    cpuMs: (used.user + used.system) / 1000,
    bytes: fileSize(file) + fileSize(`${file}-wal`),
  };
}

async function main() {
  assertBuilt();
  const corpus = corpusOptionsFromEnv();
  printHeader('Ingest: `hx import` vs raw FTS5 inserts', 'ingest.ts', { N });
  const dir = mkdtempSync(join(tmpdir(), 'helix-bench-ingest-'));
  const keep = process.env.BENCH_KEEP === '1';
  try {
    const file = join(dir, 'notes.jsonl');
    const t0 = process.hrtime.bigint();
    const written = writeExportFile(file, N, corpus, true);
    const genMs = Number(process.hrtime.bigint() - t0) / 1e6;
    const notes = written.notes!;
    const words = notes.reduce((s, n) => s + n.content.split(' ').length, 0) / notes.length;
    console.log(
      `corpus: ${fmtInt(N)} notes · ${fmt(words, 0)} words/note on average · export file ${mib(written.bytes)} · generated in ${fmt(genMs / 1000, 1)} s (seed ${corpus.seed}, ${fmtInt(corpus.vocabulary)} content words, Zipf s=${corpus.zipfS})\n`,
    );

    const plain = rawFts(
      dir,
      'raw-fts5',
      'CREATE VIRTUAL TABLE notes USING fts5(title, content)',
      notes,
      false,
    );
    const tokenized = rawFts(
      dir,
      'raw-fts5-helix-tokenizer',
      "CREATE VIRTUAL TABLE notes USING fts5(title, content, tags, tokenize = 'porter unicode61 remove_diacritics 2')",
      notes,
      true,
    );
    notes.length = 0; // let the import child have the memory

    const home = join(dir, 'home');
    const helix = await cliImport(home, file);
    const db = sqlitePathOf(home);
    const helixBytes = fileSize(db) + fileSize(`${db}-wal`);
    if (helix.summary.imported !== N || helix.summary.failed !== 0) {
      throw new Error(`import summary does not add up: ${JSON.stringify(helix.summary)}`);
    }

    const rate = (ms: number) => N / (ms / 1000);
    const floor = rate(plain.ms);
    const helixRate = rate(helix.ms);
    const floorCpu = rate(plain.cpuMs);
    const rows = [
      ['raw FTS5 `fts5(title, content)` (floor)', plain.ms, plain.cpuMs, plain.bytes],
      ['raw FTS5, Helix tokenizer + tags column', tokenized.ms, tokenized.cpuMs, tokenized.bytes],
      ['`hx import` (CLI child process, end to end)', helix.ms, helix.cpuMs ?? Number.NaN, helixBytes],
    ] as const;
    console.log(
      markdownTable(
        [
          'run',
          'nodes',
          'wall s',
          'nodes/s',
          'vs floor',
          'CPU s',
          'nodes/CPU-s',
          'vs floor (CPU)',
          'database',
        ],
        rows.map(([label, ms, cpuMs, bytes]) => [
          label,
          fmtInt(N),
          fmt(ms / 1000, 2),
          fmtInt(rate(ms)),
          ratio(rate(ms), floor),
          fmt(cpuMs / 1000, 2),
          fmtInt(rate(cpuMs)),
          ratio(rate(cpuMs), floorCpu),
          mib(bytes),
        ]),
      ),
    );
    console.log(
      '\nwall time decides the targets; CPU time (user + system) is the steadier figure on a shared machine.\n',
    );
    console.log(
      markdownTable(
        ['target', 'measured', 'result'],
        [
          [
            `≥ ${fmtInt(TARGET_NODES_PER_SEC)} nodes/s`,
            `${fmtInt(helixRate)} nodes/s`,
            verdict(helixRate >= TARGET_NODES_PER_SEC),
          ],
          [
            '≥ 1/3 of the raw FTS5 rate',
            `${fmt(helixRate / floor, 2)} of raw`,
            verdict(helixRate / floor >= TARGET_RAW_FRACTION),
          ],
        ],
      ),
    );
    if (keep) {
      rmSync(file, { force: true });
      for (const r of [plain, tokenized])
        for (const s of ['', '-wal', '-shm']) rmSync(join(dir, `${r.label}.db${s}`), { force: true });
      console.log(`\nkept the home: HELIX_BENCH_HOME=${home} (delete ${dir} when done)`);
    }
  } finally {
    if (!keep) rmSync(dir, { recursive: true, force: true });
  }
}

await main();
