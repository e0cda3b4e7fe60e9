import type { Keychain } from '../keychain.js';
import type { VaultActor } from '../keychain-audit.js';
import type { Secrets } from './service.js';

/**
 * LLM provider keys kept with `hx secret set OPENAI_API_KEY` (the OS keyring, or the vault): a key
 * resolver the AI layer consults after the environment. A key it cannot read right now (the vault
 * sealed) is simply absent: that provider is listed as not configured, never an error.
 */
export function secretKeys(secrets: Secrets, actor: VaultActor): (name: string) => string | undefined {
  return (name) => {
    // listed on each call: a catalog rebuilt later sees keys stored since
    if (!secrets.list().some((s) => s.key === name)) return undefined;
    try {
      return secrets.get(actor, name).value;
    } catch {
      return undefined;
    }
  };
}

/** Whether any of these names is a secret held by the vault while it is sealed (worth asking for the passphrase). */
export function keysWaitOnVault(secrets: Secrets, vault: Keychain, names: readonly string[]): boolean {
  if (vault.unsealed) return false;
  const wanted = new Set(names);
  return secrets.list().some((s) => wanted.has(s.key) && s.backend === 'vault');
}
