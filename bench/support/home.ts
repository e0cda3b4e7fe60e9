import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '../../src/core/config/load.js';
import { type CorpusOptions, writeExportFile } from './corpus.js';
import { hxBin, runTimed, type Timed } from './processes.js';

export interface ImportSummary {
  imported: number;
  updated: number;
  skipped: number;
  failed: number;
}

/** `hx --home HOME import FILE --json`: the real CLI and import path, in a child process. */
export async function cliImport(home: string, file: string): Promise<Timed & { summary: ImportSummary }> {
  const run = await runTimed(process.execPath, [hxBin, '--home', home, 'import', file, '--json'], {
    cpu: true,
  });
  if (run.code !== 0) throw new Error(`hx import failed (${run.code}): ${run.stderr || run.stdout}`);
  return { ...run, summary: JSON.parse(run.stdout) as ImportSummary };
}

export const sqlitePathOf = (home: string): string => loadConfig({ home }).paths.sqlitePath;

export interface BenchHome {
  home: string;
  /** built by this run (and removed by `cleanup`), or reused from HELIX_BENCH_HOME */
  built: boolean;
  cleanup(): void;
}

/**
 * The home a read bench runs against: HELIX_BENCH_HOME when set (a home imported earlier, e.g.
 * kept by `BENCH_KEEP=1 npm run bench:ingest`), else a fresh one in a temp folder with N notes
 * imported through the CLI, deleted afterwards.
 */
export async function benchHome(n: number, corpus: CorpusOptions): Promise<BenchHome> {
  const reuse = process.env.HELIX_BENCH_HOME;
  if (reuse) {
    if (!existsSync(sqlitePathOf(reuse))) throw new Error(`HELIX_BENCH_HOME=${reuse} has no database`);
    return { home: reuse, built: false, cleanup() {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'helix-bench-'));
  const cleanup = () => rmSync(dir, { recursive: true, force: true });
  try {
    const file = join(dir, 'notes.jsonl');
    const home = join(dir, 'home');
    process.stderr.write(`building a ${n}-node home in ${dir} …\n`);
    writeExportFile(file, n, corpus);
    const run = await cliImport(home, file);
    rmSync(file);
    process.stderr.write(`imported ${run.summary.imported} nodes in ${(run.ms / 1000).toFixed(1)} s\n`);
    return { home, built: true, cleanup };
  } catch (err) {
    cleanup();
    throw err;
  }
}
