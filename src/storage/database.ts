import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import BetterSqlite3, { type Database } from 'better-sqlite3';
import { registerFieldFunctions } from './sealed-fields.js';

export type { Database };

export interface OpenOptions {
  busyTimeoutMs?: number;
  synchronous?: 'normal' | 'full';
  readonly?: boolean;
}

/**
 * Opens the database the way every Helix process must: WAL (readers never block the writer, a CLI
 * and a running server can share the file), foreign keys on, and a busy timeout so a second
 * writer waits instead of failing.
 */
export function openDatabase(file: string, options: OpenOptions = {}): Database {
  if (file !== ':memory:' && !options.readonly) mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file, { readonly: options.readonly ?? false });
  db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5000)}`);
  if (!options.readonly) db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
  db.pragma('foreign_keys = ON');
  db.pragma('temp_store = MEMORY');
  db.pragma('cache_size = -32000');
  db.pragma('mmap_size = 268435456');
  registerFieldFunctions(db);
  return db;
}

/** Runs `fn` in an IMMEDIATE transaction: the write lock is taken up front, so no upgrade deadlock. */
export function inTransaction<T>(db: Database, fn: () => T): T {
  return db.transaction(fn).immediate();
}
