import { HelixError } from '../../core/errors.js';
import type { Keychain } from '../keychain.js';
import { cliActor } from '../keychain-audit.js';

/** What these helpers need of the app: only its keychain (a domain does not import the api layer). */
export interface HasVault {
  vault: Keychain;
}
import { getPassphrase, type PassphraseOptions } from './input.js';

/** Unseals the vault for this CLI process (each process holds its own key in memory only). */
export async function unlockLocal(app: HasVault, o: PassphraseOptions): Promise<void> {
  const state = app.vault.state();
  if (state === 'unsealed') return;
  if (state === 'uninitialized') throw app.vault.sealedError();
  await app.vault.unseal(await getPassphrase(o, 'vault passphrase'), cliActor());
}

/** Runs `fn`; if it needs the vault and finds it sealed, unseals (asking for the passphrase) and runs it again. */
export async function withVault<T>(
  app: HasVault,
  o: PassphraseOptions,
  fn: () => Promise<T> | T,
): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (!(err instanceof HelixError) || err.code !== 'vault_sealed' || app.vault.state() !== 'sealed')
      throw err;
    await unlockLocal(app, o);
    return fn();
  }
}

type NodeApp = HasVault & {
  ctx: { config: { encryption: { enabled: boolean } }; db: import('better-sqlite3').Database };
};

/** Whether local work on nodes needs this process to hold the vault key (they are, or are to be, encrypted). */
export function nodesNeedKey(app: NodeApp): boolean {
  if (app.vault.unsealed || app.vault.state() === 'uninitialized') return false;
  return (
    app.ctx.config.encryption.enabled ||
    app.ctx.db.prepare('SELECT 1 FROM node_data_keys LIMIT 1').get() !== undefined
  );
}

/**
 * Before a local command touches nodes: when they are encrypted at rest, unseal up front
 * (passphrase from the terminal, a file or HELIX_KEYCHAIN_PASSPHRASE) rather than fail halfway.
 */
export async function unlockForNodes(app: NodeApp, o: PassphraseOptions = {}): Promise<void> {
  if (nodesNeedKey(app)) await unlockLocal(app, o);
}
