import { randomBytes } from 'node:crypto';
import type { Statement } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import type { FieldCodec, SealedField } from '../../storage/sealed-fields.js';
import { KEY_BYTES, open, seal, wipe } from '../aead.js';
import { nodeKeyAad } from '../data-keys.js';
import type { Keychain } from '../keychain.js';

/** A sealed value is bound to its row and to what it is (a node row, a version's changes): moved elsewhere, it does not open. */
const fieldAad = (id: string, field: SealedField) => `helix/node/${id}/${field}`;

/**
 * Seals node fields at rest under a node data key (DEK) that the vault wraps (decision 0009).
 * AES-256-GCM with a fresh random nonce per value per write, the row id and the value's kind as
 * associated data. The DEK is unwrapped once and kept in memory while the vault is unsealed; sealing the
 * vault wipes it on the next use.
 */
export class NodeCipher implements FieldCodec {
  readonly #keys = new Map<number, Buffer>();
  #active: number | null = null;
  #indexPlaintext: boolean | null = null;
  #primeSql: Statement | null = null;

  constructor(
    private readonly ctx: Context,
    private readonly vault: Keychain,
  ) {
    this.#indexPlaintext = this.#readPolicy();
  }

  get sealing(): boolean {
    return this.ctx.config.encryption.enabled;
  }

  /** What the full-text index was built with (encryption_state), not what config wishes: see the migration. */
  get indexPlaintext(): boolean {
    this.#indexPlaintext ??= this.#readPolicy();
    return this.#indexPlaintext;
  }

  reload(): void {
    this.#indexPlaintext = this.#readPolicy();
    this.#active = null;
  }

  /**
   * SQLite calls the full-text view's functions in the middle of a statement, when this connection
   * cannot run another query: everything they need (the policy, every data key) is loaded here
   * first, by whoever is about to run such a statement.
   */
  prime(): void {
    // one query on every call (it runs before each full-text write): the policy is re-read because
    // another process (hx encryption migrate) may have changed it and rebuilt the index in one
    // transaction, and FTS rows must be removed with the values they hold
    this.#primeSql ??= this.ctx.db.prepare(
      'SELECT index_plaintext, (SELECT json_group_array(id) FROM node_data_keys) AS keys FROM encryption_state WHERE id = 1',
    );
    const row = this.#primeSql.get() as { index_plaintext: number; keys: string } | undefined;
    this.#indexPlaintext = row ? row.index_plaintext === 1 : true;
    if (!row || !this.vault.unsealed) return;
    for (const id of JSON.parse(row.keys) as number[]) this.#key(id);
  }

  #readPolicy(): boolean {
    const row = this.ctx.db.prepare('SELECT index_plaintext FROM encryption_state WHERE id = 1').get() as
      | { index_plaintext: number }
      | undefined;
    return row ? row.index_plaintext === 1 : true;
  }

  activeKey(): number {
    this.#requireKey();
    if (this.#active !== null) return this.#active;
    const db = this.ctx.db;
    const row = db.prepare('SELECT max(id) AS id FROM node_data_keys').get() as { id: number | null };
    if (row.id !== null) {
      this.#active = row.id;
      return row.id;
    }
    const { epoch } = this.vault.activeEpoch();
    const dek = randomBytes(KEY_BYTES);
    const id = 1;
    db.prepare('INSERT INTO node_data_keys (id, epoch, wrapped_dek, created_at) VALUES (?, ?, ?, ?)').run(
      id,
      epoch,
      seal(this.vault.wrappingKey(epoch, 'nodes'), dek, `${nodeKeyAad(id)}/dek`),
      this.ctx.clock.now().toISOString(),
    );
    this.#keys.set(id, dek);
    this.#active = id;
    return id;
  }

  seal(id: string, key: number, field: SealedField, plaintext: string): string {
    return seal(this.#key(key), Buffer.from(plaintext, 'utf8'), fieldAad(id, field)).toString('base64');
  }

  open(id: string, key: number, field: SealedField, sealed: string): string {
    const dek = this.#key(key);
    try {
      return open(dek, Buffer.from(sealed, 'base64'), fieldAad(id, field)).toString('utf8');
    } catch {
      throw new HelixError(
        'internal_error',
        `node ${id}: its stored ${field} does not authenticate (tampered, truncated, or moved from another row)`,
        { node_id: id, field },
      );
    }
  }

  #requireKey(): void {
    if (this.vault.unsealed) return;
    this.forget();
    throw this.vault.sealedError();
  }

  #key(id: number): Buffer {
    this.#requireKey();
    const cached = this.#keys.get(id);
    if (cached) return cached;
    const row = this.ctx.db.prepare('SELECT epoch, wrapped_dek FROM node_data_keys WHERE id = ?').get(id) as
      | { epoch: number; wrapped_dek: Buffer }
      | undefined;
    if (!row) throw new HelixError('internal_error', `node data key ${id} is missing from the database`);
    const dek = open(
      this.vault.wrappingKey(row.epoch, 'nodes'),
      row.wrapped_dek,
      `${nodeKeyAad(id)}/dek`,
      'node data key',
    );
    this.#keys.set(id, dek);
    return dek;
  }

  /** Wipes the unwrapped keys (the vault was sealed). */
  forget(): void {
    for (const k of this.#keys.values()) wipe(k);
    this.#keys.clear();
  }
}
