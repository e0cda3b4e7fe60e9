import type { Database } from 'better-sqlite3';
import { HelixError } from '../core/errors.js';

/** What encryption at rest seals (decision 0009): a node's title, content and metadata as one value, a version's changes. */
export type SealedField = 'row' | 'changes';

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
  // FTS5 asks for a row's title and content one after the other: open the value once for both
  let last: { id: string; sealed: string; fields: [string | null, string] } | null = null;
  const open = (id: string, key: number, sealed: string): [string | null, string] => {
    if (last?.id === id && last.sealed === sealed) return last.fields;
    const [title, content] = JSON.parse(fieldCodec(db).open(id, key, 'row', sealed)) as [
      string | null,
      string,
    ];
    last = { id, sealed, fields: [title, content] };
    // kept for the rest of this statement only: plaintext must not outlive a seal of the vault
    queueMicrotask(() => {
      last = null;
    });
    return [title, content];
  };
  db.function('hx_title', { deterministic: true }, (id, key, title, content) =>
    key === null ? title : open(String(id), Number(key), String(content))[0],
  );
  db.function('hx_indexed_content', { deterministic: true }, (id, key, content) => {
    if (key === null) return content;
    return fieldCodec(db).indexPlaintext ? open(String(id), Number(key), String(content))[1] : null;
  });
}
