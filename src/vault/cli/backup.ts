import { mkdtempSync, readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { HelixPaths } from '../../core/config/paths.js';
import { invalid } from '../../core/errors.js';
import { restoreHome } from '../../storage/restore.js';
import { backupKeyType, decryptBackupDir, encryptBackupDir } from '../backup-crypt.js';
import { getPassphrase, type PassphraseOptions } from './input.js';
import { type HasVault, unlockLocal } from './unlock.js';

/**
 * For `hx backup --encrypt`: settles the key before the copy starts. With a vault, the vault
 * passphrase unseals it here and the backup key is wrapped under the vault key (so the vault
 * passphrase or its Shamir shares restore it); without one, a backup passphrase is asked twice.
 */
export async function backupSealer(app: HasVault, o: PassphraseOptions) {
  if (app.vault.state() === 'uninitialized') {
    const passphrase = await getPassphrase(o, 'backup passphrase', true);
    if (passphrase.length < 8) throw invalid('passphrase', 'must be at least 8 characters');
    return (dir: string) => encryptBackupDir(dir, { passphrase });
  }
  await unlockLocal(app, o);
  return (dir: string) => encryptBackupDir(dir, { vault: app.vault });
}

/** `hx restore` of an encrypted backup: decrypt into a private temp folder, restore from it, remove it. */
export async function restoreEncrypted(
  path: string,
  paths: HelixPaths,
  o: PassphraseOptions & { force?: boolean; sharesFile?: string },
) {
  let unlock: { passphrase?: string; shares?: string[] };
  if (o.sharesFile) {
    if (backupKeyType(path) !== 'vault')
      throw invalid('shares-file', 'this backup is sealed with a passphrase');
    unlock = { shares: readFileSync(o.sharesFile, 'utf8').split(/\s+/).filter(Boolean) };
  } else
    unlock = { passphrase: await getPassphrase(o, `passphrase for ${backupKeyType(path)}-sealed backup`) };
  const plain = mkdtempSync(join(tmpdir(), 'helix-restore-'));
  try {
    await decryptBackupDir(path, plain, unlock);
    const result = await restoreHome(plain, paths, { force: o.force ?? false });
    return { ...result, from: resolve(path), encrypted: true };
  } finally {
    await rm(plain, { recursive: true, force: true });
  }
}
