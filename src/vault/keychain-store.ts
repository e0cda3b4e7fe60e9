import type { Database } from 'better-sqlite3';
import type { Argon2Params } from './kdf.js';

/** The one vault_meta row (id = 1), as stored. */
export interface VaultMeta {
  format: number;
  kdf: 'argon2id';
  kdf_memory_kib: number;
  kdf_iterations: number;
  kdf_parallelism: number;
  kdf_salt: Buffer;
  wrapped_vek: Buffer;
  verifier: Buffer;
  shamir_set_id: string | null;
  shamir_shares: number | null;
  shamir_threshold: number | null;
  failed_attempts: number;
  last_failed_at: string | null;
  created_at: string;
  updated_at: string;
}

export interface EpochRow {
  epoch: number;
  wrapped_key: Buffer | null;
  state: 'active' | 'grace' | 'retired';
  created_at: string;
  grace_until: string | null;
  retired_at: string | null;
}

export const paramsOf = (m: VaultMeta): Argon2Params => ({
  memory_kib: m.kdf_memory_kib,
  iterations: m.kdf_iterations,
  parallelism: m.kdf_parallelism,
});

export const readMeta = (db: Database): VaultMeta | undefined =>
  db.prepare('SELECT * FROM vault_meta WHERE id = 1').get() as VaultMeta | undefined;

export function insertMeta(db: Database, m: Omit<VaultMeta, 'failed_attempts' | 'last_failed_at'>): void {
  db.prepare(
    `INSERT INTO vault_meta (id, format, kdf, kdf_memory_kib, kdf_iterations, kdf_parallelism, kdf_salt,
       wrapped_vek, verifier, shamir_set_id, shamir_shares, shamir_threshold, created_at, updated_at)
     VALUES (1, @format, @kdf, @kdf_memory_kib, @kdf_iterations, @kdf_parallelism, @kdf_salt,
       @wrapped_vek, @verifier, @shamir_set_id, @shamir_shares, @shamir_threshold, @created_at, @updated_at)`,
  ).run(m);
}

export function updateWrapping(
  db: Database,
  w: { params: Argon2Params; salt: Buffer; wrapped_vek: Buffer; at: string },
): void {
  db.prepare(
    `UPDATE vault_meta SET kdf_memory_kib = ?, kdf_iterations = ?, kdf_parallelism = ?, kdf_salt = ?,
       wrapped_vek = ?, updated_at = ? WHERE id = 1`,
  ).run(w.params.memory_kib, w.params.iterations, w.params.parallelism, w.salt, w.wrapped_vek, w.at);
}

export function updateShamir(
  db: Database,
  s: { set_id: string | null; shares: number | null; threshold: number | null; at: string },
): void {
  db.prepare(
    'UPDATE vault_meta SET shamir_set_id = ?, shamir_shares = ?, shamir_threshold = ?, updated_at = ? WHERE id = 1',
  ).run(s.set_id, s.shares, s.threshold, s.at);
}

export function recordFailure(db: Database, at: string): void {
  db.prepare(
    'UPDATE vault_meta SET failed_attempts = failed_attempts + 1, last_failed_at = ? WHERE id = 1',
  ).run(at);
}

export function clearFailures(db: Database): void {
  db.prepare('UPDATE vault_meta SET failed_attempts = 0, last_failed_at = NULL WHERE id = 1').run();
}

export const listEpochs = (db: Database): EpochRow[] =>
  db.prepare('SELECT * FROM vault_epochs ORDER BY epoch').all() as EpochRow[];

export const getEpoch = (db: Database, epoch: number): EpochRow | undefined =>
  db.prepare('SELECT * FROM vault_epochs WHERE epoch = ?').get(epoch) as EpochRow | undefined;

export const activeEpochRow = (db: Database): EpochRow | undefined =>
  db.prepare("SELECT * FROM vault_epochs WHERE state = 'active' ORDER BY epoch DESC LIMIT 1").get() as
    | EpochRow
    | undefined;

export function insertEpoch(db: Database, epoch: number, wrapped: Buffer, at: string): void {
  db.prepare(
    "INSERT INTO vault_epochs (epoch, wrapped_key, state, created_at) VALUES (?, ?, 'active', ?)",
  ).run(epoch, wrapped, at);
}

export function demoteEpoch(db: Database, epoch: number, graceUntil: string): void {
  db.prepare("UPDATE vault_epochs SET state = 'grace', grace_until = ? WHERE epoch = ?").run(
    graceUntil,
    epoch,
  );
}

export function retireEpoch(db: Database, epoch: number, at: string): void {
  db.prepare(
    "UPDATE vault_epochs SET state = 'retired', wrapped_key = NULL, retired_at = ? WHERE epoch = ?",
  ).run(at, epoch);
}
