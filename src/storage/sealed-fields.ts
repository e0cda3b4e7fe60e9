import type { Database } from 'better-sqlite3';
import { HelixError } from '../core/errors.js';

/** The node fields that encryption at rest seals (decision 0009). */
export type SealedField = 'title' | 'content' | 'metadata' | 'changes';

/**
 * What the storage layer needs from encryption at rest: the vault provides it (src/vault/at-rest),
 * the knowledge stores and the SQL functions below call it. Keeping the interface here lets the
 * database work without the vault, and the vault stay out of the knowledge domain.
 */
export interface FieldCodec {
  /** new writes are sealed (`[encryption] enabled`) */
  readonly sealing: boolean;
  /** full-text and vector indexes may hold the content of sealed rows */
  readonly indexPlaintext: boolean;
  /** the data key new writes use (created on first use; needs the unsealed vault) */
  activeKey(): number;
  seal(id: string, key: number, field: SealedField, plaintext: string): string;
  open(id: string, key: number, field: SealedField, sealed: string): string;
  /** forget cached state read from the database (the index policy changed) */
  reload?(): void;
  /** load what the SQL functions need before a statement that calls them runs (they cannot query) */
  prime?(): void;
}

const noKeys = (): never => {
  throw new HelixError(
    'vault_sealed',
    'this data is encrypted at rest and this process has no vault key: unseal the vault (hx keychain unseal)',
  );
};

/** Without a vault (maintenance tools, tests of the storage layer) plaintext flows and sealed rows refuse. */
const plaintextOnly: FieldCodec = {
  sealing: false,
  indexPlaintext: true,
  activeKey: noKeys,
  seal: noKeys,
  open: noKeys,
};

const codecs = new WeakMap<Database, FieldCodec>();

export function setFieldCodec(db: Database, codec: FieldCodec): void {
  codecs.set(db, codec);
}

export function fieldCodec(db: Database): FieldCodec {
  return codecs.get(db) ?? plaintextOnly;
}

/**
 * The SQL functions the full-text view reads node text through (migration 0012). FTS5 reads that
 * view to index, to delete a row's terms and to build snippets, so these must exist on every
 * connection that touches `nodes_fts`: openDatabase registers them.
 */
export function registerFieldFunctions(db: Database): void {
  db.function('hx_title', { deterministic: true }, (id, key, value) =>
    key === null || value === null
      ? value
      : fieldCodec(db).open(String(id), Number(key), 'title', String(value)),
  );
  db.function('hx_indexed_content', { deterministic: true }, (id, key, value) => {
    if (key === null || value === null) return value;
    const codec = fieldCodec(db);
    return codec.indexPlaintext ? codec.open(String(id), Number(key), 'content', String(value)) : null;
  });
}
