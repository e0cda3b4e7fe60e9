import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { dirname, join, relative, sep } from 'node:path';
import { HelixError, invalid } from '../core/errors.js';
import { KEY_BYTES, open, wipe } from './aead.js';
import { decryptEnvelope, encryptEnvelope } from './envelope.js';
import { deriveKek } from './kdf.js';
import type { Keychain } from './keychain.js';
import { VEK_AAD, VERIFY_AAD, VERIFY_PLAINTEXT } from './keychain-unlock.js';
import { parseShare, ShareCollector } from './shamir.js';
import { writeAtomic } from './file-crypt.js';

/**
 * Encrypted backups: every file of a backup folder becomes an HXE1 envelope under one random
 * backup key (source "vault", epoch 0 = "this backup's own key"). `encryption.json` holds that key
 * wrapped either under a backup passphrase, or under the vault key together with the vault's
 * unlock material (KDF salt and parameters, wrapped VEK, verifier): then the vault passphrase or
 * enough Shamir shares open the backup, even on a machine without the original database.
 */
export const ENCRYPTION_FILE = 'encryption.json';
const FORMAT = 'helix-backup-encryption/1';
const BACKUP_KEY_AAD = 'helix/backup/key/v1';
const BACKUP_EPOCH = 0;

interface VaultWrap {
  type: 'vault';
  kdf: 'argon2id';
  memory_kib: number;
  iterations: number;
  parallelism: number;
  salt: string;
  wrapped_vek: string;
  verifier: string;
  shamir_set_id: string | null;
  shamir_threshold: number | null;
  wrapped_key: string;
}

interface EncryptionFile {
  format: string;
  files: string[];
  key: { type: 'passphrase'; wrapped_key: string } | VaultWrap;
}

function walk(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory()
      ? walk(join(dir, e.name), root)
      : [relative(root, join(dir, e.name)).split(sep).join('/')],
  );
}

export const isEncryptedBackup = (dir: string) => existsSync(join(dir, ENCRYPTION_FILE));

/** Replaces every file of a finished backup folder by its envelope; returns the file count. */
export async function encryptBackupDir(dir: string, wrap: { passphrase: string } | { vault: Keychain }) {
  const files = walk(dir);
  const key = randomBytes(KEY_BYTES);
  try {
    let wrapped: EncryptionFile['key'];
    if ('passphrase' in wrap)
      wrapped = {
        type: 'passphrase',
        wrapped_key: (await encryptEnvelope(key, { passphrase: wrap.passphrase })).toString('base64'),
      };
    else
      wrapped = {
        type: 'vault',
        ...wrap.vault.unlockMaterial(),
        wrapped_key: wrap.vault.sealWithVek(key, BACKUP_KEY_AAD).toString('base64'),
      };
    for (const rel of files) {
      const path = join(dir, rel);
      const data = await readFile(path);
      await writeAtomic(
        `${path}.hxe`,
        await encryptEnvelope(data, { epoch: BACKUP_EPOCH, epochKey: key }),
        true,
      );
      await rm(path);
    }
    const doc: EncryptionFile = { format: FORMAT, files, key: wrapped };
    await writeFile(join(dir, ENCRYPTION_FILE), `${JSON.stringify(doc, null, 2)}\n`, { mode: 0o600 });
    return { files: files.length, key_wrapping: wrapped.type };
  } finally {
    wipe(key);
  }
}

export function backupKeyType(dir: string): 'passphrase' | 'vault' {
  return readEncryptionFile(dir).key.type;
}

function readEncryptionFile(dir: string): EncryptionFile {
  try {
    const doc = JSON.parse(readFileSync(join(dir, ENCRYPTION_FILE), 'utf8')) as EncryptionFile;
    if (doc.format !== FORMAT || !Array.isArray(doc.files)) throw new Error('format');
    return doc;
  } catch {
    throw invalid('path', `${ENCRYPTION_FILE} is missing or not a Helix backup encryption record`);
  }
}

async function vekFrom(w: VaultWrap, unlock: { passphrase?: string; shares?: string[] }): Promise<Buffer> {
  const verifier = Buffer.from(w.verifier, 'base64');
  const verifies = (vek: Buffer) => {
    try {
      return open(vek, verifier, VERIFY_AAD).equals(VERIFY_PLAINTEXT);
    } catch {
      return false;
    }
  };
  if (unlock.shares?.length) {
    if (!w.shamir_set_id) throw invalid('shares', 'this backup was not made from a vault with Shamir shares');
    const collector = new ShareCollector();
    for (const s of unlock.shares) collector.add(parseShare(s, KEY_BYTES + 1), w.shamir_set_id);
    if (collector.count < (w.shamir_threshold ?? 2))
      throw invalid('shares', `${collector.count} distinct shares given, ${w.shamir_threshold} needed`);
    const vek = await collector.combine();
    collector.clear();
    if (verifies(vek)) return vek;
    wipe(vek);
    throw new HelixError('forbidden', 'the shares do not rebuild the vault key');
  }
  const kek = await deriveKek(unlock.passphrase ?? '', Buffer.from(w.salt, 'base64'), w);
  try {
    const vek = open(kek, Buffer.from(w.wrapped_vek, 'base64'), VEK_AAD);
    if (verifies(vek)) return vek;
  } catch {
    // fall through: the same answer for every wrong passphrase
  } finally {
    wipe(kek);
  }
  throw new HelixError('forbidden', 'wrong passphrase for this backup');
}

/** Decrypts an encrypted backup folder into `out` (a plain backup folder `restoreHome` accepts). */
export async function decryptBackupDir(
  dir: string,
  out: string,
  unlock: { passphrase?: string; shares?: string[] },
) {
  const doc = readEncryptionFile(dir);
  let key: Buffer;
  if (doc.key.type === 'passphrase') {
    const wrapped = Buffer.from(doc.key.wrapped_key, 'base64');
    try {
      key = await decryptEnvelope(wrapped, () => ({ passphrase: unlock.passphrase ?? '' }));
    } catch {
      throw new HelixError('forbidden', 'wrong passphrase for this backup');
    }
  } else {
    const vek = await vekFrom(doc.key, unlock);
    try {
      key = open(vek, Buffer.from(doc.key.wrapped_key, 'base64'), BACKUP_KEY_AAD, 'backup key');
    } finally {
      wipe(vek);
    }
  }
  try {
    for (const rel of doc.files) {
      if (rel.split('/').includes('..'))
        throw invalid('path', `${ENCRYPTION_FILE} names a file outside the backup`);
      const env = await readFile(join(dir, `${rel}.hxe`));
      const data = await decryptEnvelope(env, (h) => {
        if (h.source !== 'vault' || h.epoch !== BACKUP_EPOCH)
          throw invalid('path', `${rel}.hxe is not part of this backup`);
        return { epoch: BACKUP_EPOCH, epochKey: key };
      });
      await mkdir(dirname(join(out, rel)), { recursive: true });
      await writeFile(join(out, rel), data, { mode: 0o600 });
    }
  } finally {
    wipe(key);
  }
  return { files: doc.files.length };
}
