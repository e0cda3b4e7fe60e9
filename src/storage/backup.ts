import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { chmod, mkdir, readdir, rename, rm, rmdir, writeFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, posix, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { z } from 'zod';
import type { HelixPaths } from '../core/config/paths.js';
import { HelixError } from '../core/errors.js';
import { helixVersion } from '../core/version.js';
import { openDatabase } from './database.js';
import { readMigrations } from './migrations.js';

export const BACKUP_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';

/** What a backup holds, each restored to the matching place of the target home's paths. */
const roles = ['database', 'config', 'lancedb', 'blobs', 'models'] as const;
export type BackupRole = (typeof roles)[number];

/** Where each role lives inside a backup folder: fixed names, so a backup does not depend on config. */
const layout: Record<BackupRole, { path: string; kind: 'file' | 'dir' }> = {
  database: { path: 'helix.db', kind: 'file' },
  config: { path: 'config.toml', kind: 'file' },
  lancedb: { path: 'lancedb', kind: 'dir' },
  blobs: { path: 'blobs', kind: 'dir' },
  models: { path: 'models', kind: 'dir' },
};

const targetOf = (paths: HelixPaths, role: BackupRole): string =>
  ({
    database: paths.sqlitePath,
    config: paths.configFile,
    lancedb: paths.lancedbPath,
    blobs: paths.blobsPath,
    models: paths.modelsDir,
  })[role];

const ManifestFile = z.object({
  path: z.string().min(1),
  size: z.number().int().nonnegative(),
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
});
const ManifestEntry = z.object({
  role: z.enum(roles),
  path: z.string().min(1),
  kind: z.enum(['file', 'dir']),
});
const Manifest = z.object({
  format_version: z.number().int(),
  helix_version: z.string(),
  created_at: z.string(),
  source_home: z.string(),
  schema_version: z.number().int().nonnegative(),
  node_count: z.number().int().nonnegative(),
  entries: z.array(ManifestEntry),
  files: z.array(ManifestFile),
});
export type BackupManifest = z.infer<typeof Manifest>;
export type ManifestFile = z.infer<typeof ManifestFile>;

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

interface SourceFile {
  abs: string;
  /** path inside the backup, `/`-separated */
  rel: string;
  size: number;
}

const tag = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

/** Regular files under `dir`, sorted; symlinks and special files are not data and are skipped. */
function walk(dir: string, prefix: string): SourceFile[] {
  if (!existsSync(dir)) return [];
  const out: SourceFile[] = [];
  const visit = (abs: string, rel: string) => {
    for (const e of readdirSync(abs, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const childAbs = join(abs, e.name);
      const childRel = `${rel}/${e.name}`;
      if (e.isDirectory()) visit(childAbs, childRel);
      else if (e.isFile()) {
        const size = statSync(childAbs, { throwIfNoEntry: false })?.size;
        if (size !== undefined) out.push({ abs: childAbs, rel: childRel, size });
      }
    }
  };
  visit(dir, prefix);
  return out;
}

/** Copies a file and hashes the bytes on the way, in one read. */
async function copyAndHash(src: string, dst: string, onBytes?: (n: number) => void) {
  await mkdir(dirname(dst), { recursive: true, mode: 0o700 });
  const hash = createHash('sha256');
  let size = 0;
  await pipeline(
    createReadStream(src),
    async function* (chunks: AsyncIterable<Buffer>) {
      for await (const chunk of chunks) {
        hash.update(chunk);
        size += chunk.length;
        onBytes?.(chunk.length);
        yield chunk;
      }
    },
    createWriteStream(dst, { mode: 0o600 }),
  );
  return { size, sha256: hash.digest('hex') };
}

async function hashFile(file: string) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

const isInside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

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

/** A path from the manifest, refused if it could point outside the backup folder. */
function safeRel(p: string): string {
  const norm = posix.normalize(p);
  if (
    norm !== p ||
    isAbsolute(p) ||
    p.startsWith('/') ||
    norm === '..' ||
    norm.startsWith('../') ||
    p.includes('\\')
  ) {
    throw new HelixError(
      'validation_error',
      `the backup manifest names an unsafe path: ${JSON.stringify(p)}`,
      { path: p },
    );
  }
  return norm;
}

/** Reads and validates `manifest.json`; refuses formats this Helix does not know. */
export function readManifest(backupDir: string): BackupManifest {
  const file = join(backupDir, MANIFEST);
  if (!existsSync(file))
    throw new HelixError('not_found', `${backupDir} is not a Helix backup: it has no ${MANIFEST}`, {
      dir: backupDir,
    });
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new HelixError('validation_error', `${file} is not valid JSON: ${(err as Error).message}`);
  }
  const parsed = Manifest.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new HelixError(
      'validation_error',
      `${file}: ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`,
    );
  }
  const manifest = parsed.data;
  if (manifest.format_version !== BACKUP_FORMAT_VERSION) {
    throw new HelixError(
      'validation_error',
      `${file} has backup format ${manifest.format_version}; this Helix reads format ${BACKUP_FORMAT_VERSION}: use the Helix that made it`,
    );
  }
  const entryPaths = manifest.entries.map((e) => ({ ...e, path: safeRel(e.path) }));
  if (!entryPaths.some((e) => e.role === 'database' && e.kind === 'file')) {
    throw new HelixError('validation_error', `${file} lists no database file`);
  }
  for (const f of manifest.files) {
    const p = safeRel(f.path);
    if (!entryPaths.some((e) => (e.kind === 'file' ? p === e.path : p.startsWith(`${e.path}/`)))) {
      throw new HelixError('validation_error', `${file} lists ${p}, which belongs to none of its entries`, {
        path: p,
      });
    }
  }
  return manifest;
}

/** Checks every file of the backup against the manifest's size and sha256; touches nothing. */
export async function verifyBackup(backupDir: string): Promise<BackupManifest> {
  const manifest = readManifest(backupDir);
  for (const f of manifest.files) {
    const file = join(backupDir, ...f.path.split('/'));
    let actual: { size: number; sha256: string };
    try {
      actual = await hashFile(file);
    } catch (err) {
      if (isMissing(err))
        throw new HelixError('validation_error', `the backup is incomplete: ${f.path} is missing`, {
          path: f.path,
        });
      throw err;
    }
    if (actual.size !== f.size || actual.sha256 !== f.sha256) {
      throw new HelixError(
        'validation_error',
        `the backup is damaged: ${f.path} does not match its checksum in ${MANIFEST}`,
        {
          path: f.path,
          expected: { size: f.size, sha256: f.sha256 },
          actual,
        },
      );
    }
  }
  return manifest;
}

/** The pid of a live server recorded in the home's pid file, if any. */
export function livePid(paths: HelixPaths): number | undefined {
  if (!existsSync(paths.pidFile)) return undefined;
  let pid: number;
  try {
    pid = Number((JSON.parse(readFileSync(paths.pidFile, 'utf8')) as { pid?: unknown }).pid);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 0) return undefined;
  try {
    process.kill(pid, 0);
    return pid;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM' ? pid : undefined;
  }
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
  const running = livePid(paths);
  if (running !== undefined) {
    throw new HelixError(
      'conflict',
      `Helix is running on this home (pid ${running}): stop it with \`hx server stop\` before restoring`,
      {
        pid: running,
      },
    );
  }
  const existing = homeData(paths);
  if (existing.length > 0 && !options.force) {
    throw new HelixError(
      'conflict',
      `${paths.home} already holds data (${existing.join(', ')}): restoring would replace it; use --force to do so`,
      { home: paths.home, found: existing },
    );
  }
  const manifest = await verifyBackup(from);

  const t = tag();
  const staged: { role: BackupRole; target: string; temp: string }[] = [];
  const asides: Aside[] = [];
  const placed: string[] = [];
  try {
    for (const entry of manifest.entries) {
      const target = targetOf(paths, entry.role);
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
    const nodeCount = validateDatabase(paths.sqlitePath, (f) => openDatabase(f));
    await Promise.all(asides.map((a) => rm(a.aside, { recursive: true, force: true })));
    return {
      home: paths.home,
      from,
      node_count: nodeCount,
      files: manifest.files.length,
      total_bytes: manifest.files.reduce((a, f) => a + f.size, 0),
      replaced: existing.length > 0,
    };
  } catch (err) {
    for (const target of placed.reverse()) {
      await rm(target, { recursive: true, force: true });
      if (target === paths.sqlitePath) for (const s of sidecars(target)) await rm(s, { force: true });
    }
    for (const a of asides.reverse()) await rename(a.aside, a.original);
    for (const s of staged) await rm(s.temp, { recursive: true, force: true });
    throw err;
  }
}
