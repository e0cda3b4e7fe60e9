import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Database } from 'better-sqlite3';

export const migrationsDir = fileURLToPath(new URL('../../migrations/', import.meta.url));

export interface Migration {
  version: number;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrationStatus {
  version: number;
  name: string;
  state: 'applied' | 'pending';
  applied_at: string | null;
  checksum: string;
}

export class MigrationError extends Error {
  override name = 'MigrationError';
}

const FILE_RE = /^(\d{4})_([a-z0-9_]+)\.sql$/;

export function readMigrations(dir = migrationsDir): Migration[] {
  return readdirSync(dir)
    .filter((f) => FILE_RE.test(f))
    .sort()
    .map((file) => {
      const m = FILE_RE.exec(file)!;
      const sql = readFileSync(join(dir, file), 'utf8');
      return {
        version: Number(m[1]),
        name: m[2]!,
        file,
        sql,
        checksum: createHash('sha256').update(sql).digest('hex'),
      };
    });
}

interface AppliedRow {
  version: number;
  name: string;
  checksum: string;
  applied_at: string;
}

function ensureTable(db: Database) {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
    version INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    checksum TEXT NOT NULL,
    applied_at TEXT NOT NULL
  )`);
}

function applied(db: Database): Map<number, AppliedRow> {
  ensureTable(db);
  const rows = db
    .prepare('SELECT version, name, checksum, applied_at FROM schema_migrations')
    .all() as AppliedRow[];
  return new Map(rows.map((r) => [r.version, r]));
}

/** Refuses a database whose applied migrations were edited, or that a newer Helix migrated. */
function verify(done: Map<number, AppliedRow>, known: Migration[]) {
  const byVersion = new Map(known.map((m) => [m.version, m]));
  for (const row of done.values()) {
    const m = byVersion.get(row.version);
    if (!m) {
      throw new MigrationError(
        `the database has migration ${String(row.version).padStart(4, '0')}_${row.name} which this Helix does not know: it was written by a newer version; upgrade Helix`,
      );
    }
    if (m.checksum !== row.checksum) {
      throw new MigrationError(
        `migration ${m.file} was changed after it was applied (checksum ${m.checksum.slice(0, 12)} != recorded ${row.checksum.slice(0, 12)}): restore the original file and add a new migration instead`,
      );
    }
  }
}

export function migrationStatus(db: Database, dir = migrationsDir): MigrationStatus[] {
  const known = readMigrations(dir);
  const done = applied(db);
  return known.map((m) => {
    const row = done.get(m.version);
    return {
      version: m.version,
      name: m.name,
      state: row ? 'applied' : 'pending',
      applied_at: row?.applied_at ?? null,
      checksum: m.checksum,
    };
  });
}

/** Applies pending migrations in order, all in one transaction; returns what it applied. */
export function migrate(db: Database, now: () => string, dir = migrationsDir): Migration[] {
  const known = readMigrations(dir);
  const run = db.transaction(() => {
    const done = applied(db);
    verify(done, known);
    const pending = known.filter((m) => !done.has(m.version));
    const record = db.prepare(
      'INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (?, ?, ?, ?)',
    );
    for (const m of pending) {
      try {
        db.exec(m.sql);
      } catch (err) {
        throw new MigrationError(`migration ${m.file} failed: ${(err as Error).message}`);
      }
      record.run(m.version, m.name, m.checksum, now());
    }
    return pending;
  });
  return run.immediate();
}
