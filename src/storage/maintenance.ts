import { existsSync, statSync } from 'node:fs';
import { fieldCodec } from './sealed-fields.js';
import type { Database } from 'better-sqlite3';
import type { HelixPaths } from '../core/config/paths.js';
import { type MigrationStatus, migrationStatus, readMigrations } from './migrations.js';

export interface DbStatus {
  path: string;
  exists: boolean;
  sqlite_version: string | null;
  /** highest applied migration, 0 when none */
  schema_version: number;
  migrations: MigrationStatus[];
  applied: number;
  pending: number;
  journal_mode: string | null;
  page_size: number;
  page_count: number;
  freelist_count: number;
  db_bytes: number;
  wal_bytes: number;
}

export interface CheckProblem {
  check: 'integrity' | 'foreign_keys' | 'fulltext';
  message: string;
  /** the command that repairs it, when one does */
  fix?: string;
}

export interface CheckCounts {
  nodes: number;
  node_tags: number;
  relationships: number;
  node_versions: number;
  tombstones: number;
  fts_rows: number;
}

export interface CheckResult {
  ok: boolean;
  problems: CheckProblem[];
  counts: CheckCounts;
}

export interface VacuumResult {
  before_bytes: number;
  after_bytes: number;
  reclaimed_bytes: number;
  /** true when another connection kept the WAL from being fully checkpointed */
  wal_busy: boolean;
  duration_ms: number;
}

export interface RebuildResult {
  rows: number;
  duration_ms: number;
}

export const fileSize = (file: string): number => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/** The database file plus its WAL: what the data actually occupies on disk. */
const onDisk = (file: string) => fileSize(file) + fileSize(`${file}-wal`);

const pragmaNumber = (db: Database, name: string): number => Number(db.pragma(name, { simple: true }) ?? 0);

/**
 * Where the database stands: schema version, each migration applied or pending, and its size.
 * With `db` undefined (no database file yet) every migration is pending; nothing is created.
 */
export function dbStatus(db: Database | undefined, paths: HelixPaths): DbStatus {
  const migrations: MigrationStatus[] = db
    ? migrationStatus(db)
    : readMigrations().map((m) => ({
        version: m.version,
        name: m.name,
        state: 'pending',
        applied_at: null,
        checksum: m.checksum,
      }));
  const applied = migrations.filter((m) => m.state === 'applied');
  return {
    path: paths.sqlitePath,
    exists: db !== undefined && existsSync(paths.sqlitePath),
    sqlite_version: db ? (db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v : null,
    schema_version: applied.reduce((max, m) => Math.max(max, m.version), 0),
    migrations,
    applied: applied.length,
    pending: migrations.length - applied.length,
    journal_mode: db ? String(db.pragma('journal_mode', { simple: true })) : null,
    page_size: db ? pragmaNumber(db, 'page_size') : 0,
    page_count: db ? pragmaNumber(db, 'page_count') : 0,
    freelist_count: db ? pragmaNumber(db, 'freelist_count') : 0,
    db_bytes: fileSize(paths.sqlitePath),
    wal_bytes: fileSize(`${paths.sqlitePath}-wal`),
  };
}

const count = (db: Database, table: string) =>
  (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/**
 * Rows the full-text index holds. `count(*)` on `nodes_fts` would read the external content (the
 * nodes) instead; the docsize shadow table has exactly one row per indexed document.
 */
const ftsRows = (db: Database) => count(db, 'nodes_fts_docsize');

interface ForeignKeyRow {
  table: string;
  rowid: number | null;
  parent: string;
  fkid: number;
}

/**
 * Integrity of the file, the foreign keys and the full-text index. The FTS5 'integrity-check'
 * with rank 1 compares the index with its external content (the `nodes_fts_source` view); plain
 * `PRAGMA integrity_check` only checks the index is internally consistent, so it misses a node
 * written without its FTS row.
 */
export function checkDatabase(db: Database): CheckResult {
  const problems: CheckProblem[] = [];
  const integrity = db.pragma('integrity_check') as { integrity_check: string }[];
  for (const row of integrity) {
    if (row.integrity_check !== 'ok') problems.push({ check: 'integrity', message: row.integrity_check });
  }
  const fks = db.pragma('foreign_key_check') as ForeignKeyRow[];
  for (const fk of fks) {
    problems.push({
      check: 'foreign_keys',
      message: `${fk.table} row ${fk.rowid ?? '?'} refers to a missing ${fk.parent} row`,
    });
  }
  try {
    fieldCodec(db).prime?.();
    db.prepare(`INSERT INTO nodes_fts (nodes_fts, rank) VALUES ('integrity-check', 1)`).run();
  } catch (err) {
    const code = (err as { code?: string }).code;
    // SQLITE_CORRUPT_VTAB is FTS5's verdict; anything else (a missing table, a lock) is not.
    problems.push({
      check: 'fulltext',
      message:
        code === 'SQLITE_CORRUPT_VTAB'
          ? 'the full-text index does not match the nodes'
          : `the full-text check could not run: ${(err as Error).message}`,
      fix: 'hx db reindex',
    });
  }
  const counts: CheckCounts = {
    nodes: count(db, 'nodes'),
    node_tags: count(db, 'node_tags'),
    relationships: count(db, 'relationships'),
    node_versions: count(db, 'node_versions'),
    tombstones: count(db, 'node_tombstones'),
    fts_rows: ftsRows(db),
  };
  if (counts.fts_rows !== counts.nodes && !problems.some((p) => p.check === 'fulltext')) {
    problems.push({
      check: 'fulltext',
      message: `the full-text index has ${counts.fts_rows} rows for ${counts.nodes} nodes`,
      fix: 'hx db reindex',
    });
  }
  return { ok: problems.length === 0, problems, counts };
}

/**
 * Compacts the database. The WAL is checkpointed first (VACUUM cannot shrink pages still living
 * in it) and again after, because in WAL mode VACUUM writes the new copy through the WAL.
 */
export function vacuumDatabase(db: Database): VacuumResult {
  const started = performance.now();
  const file = db.name;
  const before = onDisk(file);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.exec('VACUUM');
  db.pragma('optimize');
  const [checkpoint] = db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
  const after = onDisk(file);
  return {
    before_bytes: before,
    after_bytes: after,
    reclaimed_bytes: Math.max(0, before - after),
    wal_busy: (checkpoint?.busy ?? 0) !== 0,
    duration_ms: Math.round(performance.now() - started),
  };
}

/** Rebuilds the full-text index from the nodes: the repair for a 'fulltext' problem. */
export function rebuildFulltext(db: Database): RebuildResult {
  const started = performance.now();
  fieldCodec(db).prime?.();
  db.prepare(`INSERT INTO nodes_fts (nodes_fts) VALUES ('rebuild')`).run();
  return { rows: ftsRows(db), duration_ms: Math.round(performance.now() - started) };
}
