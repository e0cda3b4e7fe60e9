import type { Database } from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import { KEY_BYTES, open, seal, wipe } from './aead.js';
import { deriveSubkey } from './kdf.js';

/**
 * Envelope encryption of stored values: each value gets its own random data key (DEK), the DEK
 * is wrapped under a purpose key derived from an epoch key. Rotation re-wraps 48-byte DEKs and
 * never touches the values themselves.
 */
export interface SealedValue {
  epoch: number;
  wrapped_dek: Buffer;
  ciphertext: Buffer;
}

/** What a wrapped DEK belongs to: a keychain domain, the flat `hx secret` store, or node fields at rest. */
export type Purpose = { domain: string } | 'secrets' | 'nodes';

export function purposeKey(epochKey: Uint8Array, purpose: Purpose): Buffer {
  if (purpose === 'secrets') return deriveSubkey(epochKey, 'helix/vault/secrets/v1');
  if (purpose === 'nodes') return deriveSubkey(epochKey, 'helix/vault/nodes/v1');
  return deriveSubkey(epochKey, 'helix/vault/domain/v1', purpose.domain);
}

export const purposeId = (purpose: Purpose) =>
  typeof purpose === 'string' ? purpose : `domain:${purpose.domain}`;

export function sealValue(wrapKey: Uint8Array, epoch: number, value: Uint8Array, aad: string): SealedValue {
  const dek = randomBytes(KEY_BYTES);
  try {
    return {
      epoch,
      wrapped_dek: seal(wrapKey, dek, `${aad}/dek`),
      ciphertext: seal(dek, value, `${aad}/value`),
    };
  } finally {
    wipe(dek);
  }
}

export function openValue(wrapKey: Uint8Array, sealed: Omit<SealedValue, 'epoch'>, aad: string): Buffer {
  const dek = open(wrapKey, sealed.wrapped_dek, `${aad}/dek`, 'data key');
  try {
    return open(dek, sealed.ciphertext, `${aad}/value`, 'value');
  } finally {
    wipe(dek);
  }
}

export function rewrapDek(from: Uint8Array, to: Uint8Array, wrapped: Buffer, aad: string): Buffer {
  const dek = open(from, wrapped, `${aad}/dek`, 'data key');
  try {
    return seal(to, dek, `${aad}/dek`);
  } finally {
    wipe(dek);
  }
}

export const credentialAad = (id: string, version: number) => `helix/cred/${id}/${version}`;
export const secretAad = (name: string) => `helix/secret/${name}`;
export const nodeKeyAad = (id: number) => `helix/nodes/key/${id}`;

interface WrappedRow {
  epoch: number;
  wrapped_dek: Buffer;
}

/**
 * Re-wraps every stored DEK under the new epoch's purpose keys. Runs inside the rotation's
 * transaction: a crash anywhere leaves the old wrapping fully in place. `onRow` lets a test kill
 * the process between two rows.
 */
export function rewrapAll(
  db: Database,
  oldKey: (epoch: number, purpose: Purpose) => Buffer,
  newKey: (purpose: Purpose) => Buffer,
  newEpoch: number,
  onRow?: () => void,
): number {
  let n = 0;
  /** Re-wraps each row's DEK; `update` takes (epoch, wrapped_dek, ...the row's key columns). */
  const rewrap = <R extends WrappedRow>(
    rows: R[],
    update: string,
    purpose: (r: R) => Purpose,
    aad: (r: R) => string,
    keyOf: (r: R) => unknown[],
  ) => {
    const stmt = db.prepare(update);
    for (const r of rows) {
      const p = purpose(r);
      stmt.run(newEpoch, rewrapDek(oldKey(r.epoch, p), newKey(p), r.wrapped_dek, aad(r)), ...keyOf(r));
      n++;
      onRow?.();
    }
  };
  rewrap(
    db
      .prepare(
        `SELECT v.credential_id, v.version, v.epoch, v.wrapped_dek, c.domain_id FROM keychain_credential_versions v
         JOIN keychain_credentials c ON c.id = v.credential_id WHERE v.wrapped_dek IS NOT NULL`,
      )
      .all() as (WrappedRow & { credential_id: string; version: number; domain_id: string })[],
    'UPDATE keychain_credential_versions SET epoch = ?, wrapped_dek = ? WHERE credential_id = ? AND version = ?',
    (r) => ({ domain: r.domain_id }),
    (r) => credentialAad(r.credential_id, r.version),
    (r) => [r.credential_id, r.version],
  );
  rewrap(
    db
      .prepare(
        "SELECT name, epoch, wrapped_dek FROM vault_secrets WHERE backend = 'vault' AND wrapped_dek IS NOT NULL",
      )
      .all() as (WrappedRow & { name: string })[],
    'UPDATE vault_secrets SET epoch = ?, wrapped_dek = ? WHERE name = ?',
    () => 'secrets',
    (r) => secretAad(r.name),
    (r) => [r.name],
  );
  rewrap(
    db.prepare('SELECT id, epoch, wrapped_dek FROM node_data_keys').all() as (WrappedRow & { id: number })[],
    'UPDATE node_data_keys SET epoch = ?, wrapped_dek = ? WHERE id = ?',
    () => 'nodes',
    (r) => nodeKeyAad(r.id),
    (r) => [r.id],
  );
  return n;
}

/** Epochs some stored DEK still depends on (an epoch in this list must not be retired). */
export function epochsInUse(db: Database): Set<number> {
  const rows = db
    .prepare(
      `SELECT epoch FROM keychain_credential_versions WHERE wrapped_dek IS NOT NULL
       UNION SELECT epoch FROM vault_secrets WHERE wrapped_dek IS NOT NULL
       UNION SELECT epoch FROM node_data_keys`,
    )
    .all() as { epoch: number }[];
  return new Set(rows.map((r) => r.epoch));
}
