import { createHash, randomBytes } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  existsSync,
  readdirSync,
  readFileSync,
  statSync,
} from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, isAbsolute, join, posix, relative } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { z } from 'zod';
import type { HelixPaths } from '../core/config/paths.js';
import { HelixError } from '../core/errors.js';

export const BACKUP_FORMAT_VERSION = 1;
export const MANIFEST = 'manifest.json';

/** What a backup holds, each restored to the matching place of the target home's paths. */
export const roles = ['database', 'config', 'lancedb', 'blobs', 'models'] as const;
export type BackupRole = (typeof roles)[number];

/** Where each role lives inside a backup folder: fixed names, so a backup does not depend on config. */
export const layout: Record<BackupRole, { path: string; kind: 'file' | 'dir' }> = {
  database: { path: 'helix.db', kind: 'file' },
  config: { path: 'config.toml', kind: 'file' },
  lancedb: { path: 'lancedb', kind: 'dir' },
  blobs: { path: 'blobs', kind: 'dir' },
  models: { path: 'models', kind: 'dir' },
};

export const targetOf = (paths: HelixPaths, role: BackupRole): string =>
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

export interface SourceFile {
  abs: string;
  /** path inside the backup, `/`-separated */
  rel: string;
  size: number;
}

/** A suffix for temporary names that no other process or call can pick. */
export const tag = () => `${process.pid}-${randomBytes(4).toString('hex')}`;

/** Regular files under `dir`, sorted; symlinks and special files are not data and are skipped. */
export function walk(dir: string, prefix: string): SourceFile[] {
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
export async function copyAndHash(src: string, dst: string, onBytes?: (n: number) => void) {
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

export async function hashFile(file: string) {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    hash.update(chunk);
    size += chunk.length;
  }
  return { size, sha256: hash.digest('hex') };
}

export const isMissing = (err: unknown) => (err as NodeJS.ErrnoException).code === 'ENOENT';

export const isInside = (child: string, parent: string) => {
  const r = relative(parent, child);
  return r === '' || (!r.startsWith('..') && !isAbsolute(r));
};

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
