import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { ConfigError, loadConfig } from '../core/config/load.js';
import type { HelixPaths } from '../core/config/paths.js';
import { HelixError } from '../core/errors.js';
import {
  type BackupManifest,
  type BackupRole,
  copyAndHash,
  tag,
  targetOf,
  verifyBackup,
  walk,
} from './backup-manifest.js';
import { openDatabase } from './database.js';
import { readMigrations } from './migrations.js';
import { liveServer } from './pid-file.js';

export interface RestoreOptions {
  /** replace a home that already holds data */
  force?: boolean;
}

export interface RestoreResult {
  home: string;
  from: string;
  node_count: number;
  files: number;
  total_bytes: number;
  /** the home held data that the restore replaced */
  replaced: boolean;
}

/**
 * What in the home would be lost by a restore: a database, any vector/blob/model file, or a
 * config.toml with a setting in it (a fresh home's config is comments only).
 */
export function homeData(paths: HelixPaths): string[] {
  const found: string[] = [];
  if (existsSync(paths.sqlitePath) && statSync(paths.sqlitePath).size > 0) found.push('database');
  for (const role of ['lancedb', 'blobs', 'models'] as const) {
    if (walk(targetOf(paths, role), role).length > 0) found.push(role);
  }
  if (existsSync(paths.configFile)) {
    const settings = readFileSync(paths.configFile, 'utf8')
      .split('\n')
      .some((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    if (settings) found.push('config.toml');
  }
  return found;
}

function refuseUnlessForced(home: string, found: string[], options: RestoreOptions) {
  if (found.length > 0 && !options.force) {
    throw new HelixError(
      'conflict',
      `${home} already holds data (${found.join(', ')}): restoring would replace it; use --force to do so`,
      { home, found },
    );
  }
}

/**
 * Where the restored files go. The backup's config.toml replaces the home's, so its storage
 * settings decide where the data must be for the restored home to find it; without one in the
 * backup the home keeps its config, and so its paths.
 */
function restoreTargets(from: string, manifest: BackupManifest, paths: HelixPaths): HelixPaths {
  const entry = manifest.entries.find((e) => e.role === 'config');
  if (!entry) return paths;
  const file = join(from, ...entry.path.split('/'));
  try {
    return loadConfig({ home: paths.home, env: {}, userFileText: readFileSync(file, 'utf8') }).paths;
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    throw new HelixError('validation_error', `the backup's ${entry.path} does not load: ${err.message}`, {
      path: entry.path,
      problems: err.problems,
    });
  }
}

/** Opens a restored database file and insists it is sound and not from a newer Helix. */
function validateDatabase(file: string, open: (f: string) => Database): number {
  const db = open(file);
  try {
    const check = db.pragma('integrity_check', { simple: true });
    if (check !== 'ok')
      throw new HelixError(
        'validation_error',
        `the backup's database fails its integrity check: ${String(check)}`,
      );
    const known = readMigrations().reduce((max, m) => Math.max(max, m.version), 0);
    const version = (
      db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }
    ).v;
    if (version > known) {
      throw new HelixError(
        'conflict',
        `the backup was made by a newer Helix (schema ${version}; this one knows ${known}): upgrade Helix first`,
      );
    }
    return (db.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n;
  } finally {
    db.close();
  }
}

/** A file or folder moved out of the way, so a failed restore can put it back. */
interface Aside {
  original: string;
  aside: string;
}

const sidecars = (dbFile: string) => ['-wal', '-shm', '-journal'].map((s) => `${dbFile}${s}`);

/**
 * Restores a backup into the home named by `paths`. Nothing is touched until the backup verifies
 * and no server holds the home; the files are then copied next to their targets under temporary
 * names (same filesystem, so each swap is a rename), the copied database is checked, and only then
 * are the targets swapped. Any failure puts the previous files back.
 */
export async function restoreHome(
  backupDir: string,
  paths: HelixPaths,
  options: RestoreOptions = {},
): Promise<RestoreResult> {
  const from = resolve(backupDir);
  const running = liveServer(paths.pidFile);
  if (running !== undefined) {
    throw new HelixError(
      'conflict',
      `Helix is running on this home (pid ${running.pid}): stop it with \`hx server stop\` before restoring`,
      {
        pid: running.pid,
      },
    );
  }
  const existing = homeData(paths);
  refuseUnlessForced(paths.home, existing, options);
  const manifest = await verifyBackup(from);
  const targets = restoreTargets(from, manifest, paths);
  // data already where the backup's config puts it would be replaced as well
  const replacing = [...new Set([...existing, ...homeData(targets)])];
  refuseUnlessForced(paths.home, replacing, options);

  const t = tag();
  const staged: { role: BackupRole; target: string; temp: string }[] = [];
  const asides: Aside[] = [];
  const placed: string[] = [];
  try {
    for (const entry of manifest.entries) {
      const target = targetOf(targets, entry.role);
      const temp = `${target}.restoring-${t}`;
      await mkdir(dirname(target), { recursive: true, mode: 0o700 });
      staged.push({ role: entry.role, target, temp });
      if (entry.kind === 'dir') await mkdir(temp, { recursive: true, mode: 0o700 });
      const mine = manifest.files.filter((f) =>
        entry.kind === 'file' ? f.path === entry.path : f.path.startsWith(`${entry.path}/`),
      );
      for (const f of mine) {
        const dst =
          entry.kind === 'file' ? temp : join(temp, ...f.path.slice(entry.path.length + 1).split('/'));
        const copied = await copyAndHash(join(from, ...f.path.split('/')), dst);
        if (copied.sha256 !== f.sha256)
          throw new HelixError('internal_error', `copying ${f.path} produced different bytes: disk error?`);
      }
    }
    const dbStage = staged.find((s) => s.role === 'database')!;
    validateDatabase(dbStage.temp, (f) => new BetterSqlite3(f));

    for (const s of staged) {
      for (const original of s.role === 'database' ? [s.target, ...sidecars(s.target)] : [s.target]) {
        if (!existsSync(original)) continue;
        const aside = `${original}.replaced-${t}`;
        await rename(original, aside);
        asides.push({ original, aside });
      }
      await rename(s.temp, s.target);
      placed.push(s.target);
    }
    const nodeCount = validateDatabase(targets.sqlitePath, (f) => openDatabase(f));
    await Promise.all(asides.map((a) => rm(a.aside, { recursive: true, force: true })));
    return {
      home: paths.home,
      from,
      node_count: nodeCount,
      files: manifest.files.length,
      total_bytes: manifest.files.reduce((a, f) => a + f.size, 0),
      replaced: replacing.length > 0,
    };
  } catch (err) {
    for (const target of placed.reverse()) {
      await rm(target, { recursive: true, force: true });
      if (target === targets.sqlitePath) for (const s of sidecars(target)) await rm(s, { force: true });
    }
    for (const a of asides.reverse()) await rename(a.aside, a.original);
    for (const s of staged) await rm(s.temp, { recursive: true, force: true });
    throw err;
  }
}
