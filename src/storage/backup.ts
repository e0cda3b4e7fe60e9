import { existsSync, statSync } from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import type { HelixPaths } from '../core/config/paths.js';
import { HelixError } from '../core/errors.js';
import { helixVersion } from '../core/version.js';
import {
  BACKUP_FORMAT_VERSION,
  type BackupManifest,
  type BackupRole,
  copyAndHash,
  hashFile,
  isInside,
  isMissing,
  layout,
  MANIFEST,
  type ManifestFile,
  roles,
  tag,
  targetOf,
  walk,
} from './backup-manifest.js';

export interface BackupProgress {
  stage: 'database' | 'files';
  done_bytes: number;
  total_bytes: number;
}

export interface BackupOptions {
  onProgress?: (p: BackupProgress) => void;
  /** model files can be large and can be fetched again; default true */
  includeModels?: boolean;
  now?: () => Date;
}

export interface BackupResult {
  dir: string;
  manifest: BackupManifest;
  total_bytes: number;
}

const stamp = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');

/** `$HELIX_HOME/backups/helix-backup-<UTC timestamp>`, with a suffix if that name is taken. */
export function defaultBackupDir(paths: HelixPaths, now: Date = new Date()): string {
  const base = join(paths.home, 'backups', `helix-backup-${stamp(now)}`);
  let dir = base;
  for (let i = 2; existsSync(dir); i++) dir = `${base}-${i}`;
  return dir;
}

/**
 * The online backup API copies pages in steps and restarts whenever another connection writes
 * between two steps; under a steady writer it could restart forever. After the first restart the
 * remaining copy is done in one step, which holds a read snapshot for its duration instead.
 */
async function backupDatabase(db: Database, file: string, onPages: (done: number, total: number) => void) {
  const pageSize = Number(db.pragma('page_size', { simple: true }));
  const stepPages = Math.max(100, Math.floor((4 << 20) / pageSize));
  let lastRemaining = Number.POSITIVE_INFINITY;
  let restarted = false;
  await db.backup(file, {
    progress: ({ totalPages, remainingPages }) => {
      // no progress since the last step means SQLite started over
      if (remainingPages >= lastRemaining) restarted = true;
      lastRemaining = remainingPages;
      onPages((totalPages - remainingPages) * pageSize, totalPages * pageSize);
      return restarted ? 0x7fffffff : stepPages;
    },
  });
}

interface CopyFacts {
  node_count: number;
  schema_version: number;
}

/**
 * Makes the copy self-contained (rollback journal, so no -wal file belongs to it), checks it and
 * reads the facts the manifest records.
 */
function sealDatabaseCopy(file: string): CopyFacts {
  const copy = new BetterSqlite3(file);
  try {
    copy.pragma('journal_mode = DELETE');
    const check = copy.pragma('quick_check', { simple: true });
    if (check !== 'ok')
      throw new HelixError('internal_error', `the database copy failed its check: ${String(check)}`);
    return {
      node_count: (copy.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n,
      schema_version: (
        copy.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_migrations').get() as { v: number }
      ).v,
    };
  } finally {
    copy.close();
  }
}

async function ensureUsableOutDir(outDir: string, paths: HelixPaths) {
  for (const role of ['lancedb', 'blobs', 'models'] as const) {
    if (isInside(outDir, targetOf(paths, role))) {
      throw new HelixError(
        'validation_error',
        `out: ${outDir} is inside the ${role} folder it would back up: choose another folder`,
        {
          field: 'out',
        },
      );
    }
  }
  if (existsSync(outDir)) {
    if ((await readdir(outDir)).length > 0) {
      throw new HelixError('conflict', `${outDir} already exists and is not empty: choose a new folder`, {
        dir: outDir,
      });
    }
    await rmdir(outDir);
  }
}

/**
 * Backs up the data home into `outDir` while a server may keep writing: the database through
 * SQLite's online backup API (a consistent snapshot), then the vector, blob and model folders and
 * the user's config.toml, and a manifest with every file's size and sha256. The backup is written
 * under a temporary name and renamed at the end, so a folder with a manifest is always complete.
 * LanceDB files are copied as they are: vectors are derived data and `hx db reindex` rebuilds them.
 */
export async function backupHome(
  db: Database,
  paths: HelixPaths,
  outDir: string = defaultBackupDir(paths),
  options: BackupOptions = {},
): Promise<BackupResult> {
  const dir = resolve(outDir);
  await ensureUsableOutDir(dir, paths);
  await mkdir(dirname(dir), { recursive: true, mode: 0o700 });
  const staging = join(dirname(dir), `.${basename(dir)}.partial-${tag()}`);
  await mkdir(staging, { mode: 0o700 });
  try {
    const dirRoles: BackupRole[] = ['lancedb', 'blobs'];
    if (options.includeModels !== false && existsSync(paths.modelsDir)) dirRoles.push('models');
    const sources = dirRoles.flatMap((role) => walk(targetOf(paths, role), layout[role].path));
    const withConfig = existsSync(paths.configFile);
    if (withConfig)
      sources.unshift({
        abs: paths.configFile,
        rel: layout.config.path,
        size: statSync(paths.configFile).size,
      });
    const filesBytes = sources.reduce((a, f) => a + f.size, 0);

    let dbTotal =
      Number(db.pragma('page_count', { simple: true })) * Number(db.pragma('page_size', { simple: true }));
    const report = (stage: BackupProgress['stage'], done: number) =>
      options.onProgress?.({ stage, done_bytes: done, total_bytes: dbTotal + filesBytes });

    const dbCopy = join(staging, layout.database.path);
    await backupDatabase(db, dbCopy, (done, total) => {
      dbTotal = total;
      report('database', done);
    });
    await chmod(dbCopy, 0o600);
    const facts = sealDatabaseCopy(dbCopy);
    const files: ManifestFile[] = [{ path: layout.database.path, ...(await hashFile(dbCopy)) }];
    report('database', dbTotal);

    let done = dbTotal;
    for (const src of sources) {
      try {
        const copied = await copyAndHash(src.abs, join(staging, ...src.rel.split('/')), (n) => {
          done += n;
          report('files', done);
        });
        files.push({ path: src.rel, ...copied });
      } catch (err) {
        // a vector store compacting under us removes files; what vanished was superseded
        if (!isMissing(err)) throw err;
      }
    }
    for (const role of dirRoles)
      await mkdir(join(staging, layout[role].path), { recursive: true, mode: 0o700 });

    const entries = roles
      .filter((role) => role === 'database' || (role === 'config' ? withConfig : dirRoles.includes(role)))
      .map((role) => ({ role, ...layout[role] }));
    const manifest: BackupManifest = {
      format_version: BACKUP_FORMAT_VERSION,
      helix_version: helixVersion,
      created_at: (options.now?.() ?? new Date()).toISOString(),
      source_home: paths.home,
      schema_version: facts.schema_version,
      node_count: facts.node_count,
      entries,
      files,
    };
    await writeFile(join(staging, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`, { mode: 0o600 });
    await rename(staging, dir);
    return { dir, manifest, total_bytes: files.reduce((a, f) => a + f.size, 0) };
  } catch (err) {
    await rm(staging, { recursive: true, force: true });
    throw err;
  }
}
