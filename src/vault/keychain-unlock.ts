import type { Database } from 'better-sqlite3';
import { HelixError, invalid } from '../core/errors.js';
import { open, wipe } from './aead.js';
import { deriveKek } from './kdf.js';
import * as store from './keychain-store.js';

export const VERIFY_PLAINTEXT = Buffer.from('helix-vault-verify-v1');
export const VERIFY_AAD = 'helix/vault/verify/v1';
export const VEK_AAD = 'helix/vault/vek/v1';

/** Seconds until another unseal attempt is allowed (growing back-off after the free attempts). */
export function retryAfterSecs(
  meta: store.VaultMeta,
  limits: { unseal_free_attempts: number; unseal_backoff_max_secs: number },
  nowMs: number,
): number {
  const { unseal_free_attempts: free, unseal_backoff_max_secs: max } = limits;
  if (meta.failed_attempts < free || !meta.last_failed_at) return 0;
  const delay = Math.min(max, 2 ** (meta.failed_attempts - free));
  const wait = Date.parse(meta.last_failed_at) + delay * 1000 - nowMs;
  return wait > 0 ? Math.ceil(wait / 1000) : 0;
}

/** Checks a candidate VEK against the verification blob; true only for the real key. */
export function verifiesVek(meta: store.VaultMeta, vek: Buffer): boolean {
  try {
    return open(vek, meta.verifier, VERIFY_AAD).equals(VERIFY_PLAINTEXT);
  } catch {
    return false;
  }
}

/** The VEK a passphrase unwraps, verified; null for a wrong passphrase. */
export async function unwrapWithPassphrase(
  meta: store.VaultMeta,
  passphrase: string,
): Promise<Buffer | null> {
  const kek = await deriveKek(passphrase, meta.kdf_salt, store.paramsOf(meta));
  try {
    const vek = open(kek, meta.wrapped_vek, VEK_AAD);
    if (verifiesVek(meta, vek)) return vek;
    wipe(vek);
    return null;
  } catch {
    return null;
  } finally {
    wipe(kek);
  }
}

export function checkPassphrase(p: string, field = 'passphrase'): void {
  if (typeof p !== 'string' || p.length < 8) throw invalid(field, 'must be at least 8 characters');
  if (p.length > 1024) throw invalid(field, 'must be at most 1024 characters');
}

export const HOW_TO_UNSEAL = [
  'hx keychain unseal (asks for the passphrase)',
  'POST /api/v1/keychain/unseal {"passphrase": "..."}',
  'POST /api/v1/keychain/shamir/submit {"share": "hxs1-..."} once per share, up to the threshold',
];

/** The error every secret-needing path throws while the vault is not unsealed (503 vault_sealed; 409 before init). */
export function sealedErrorFor(state: 'uninitialized' | 'sealed' | 'unsealed'): HelixError {
  // not a passing state like "sealed" but a missing setup step: a precondition (409), not a 503
  if (state === 'uninitialized')
    return new HelixError(
      'conflict',
      'the vault is not initialized: run `hx keychain init` or POST /api/v1/keychain/init',
      { state, how_to_init: ['hx keychain init', 'POST /api/v1/keychain/init {"passphrase": "..."}'] },
    );
  return new HelixError('vault_sealed', 'the vault is sealed: unseal it with `hx keychain unseal`', {
    state,
    how_to_unseal: HOW_TO_UNSEAL,
  });
}

/** What `status` reports: state, epoch, KDF parameters, Shamir progress and back-off; never a secret. */
export function describeVault(
  db: Database,
  meta: store.VaultMeta | undefined,
  unsealed: boolean,
  submitted: number,
  retryAfter: number,
) {
  const state: 'uninitialized' | 'sealed' | 'unsealed' = !meta
    ? 'uninitialized'
    : unsealed
      ? 'unsealed'
      : 'sealed';
  const active = meta ? store.activeEpochRow(db) : undefined;
  return {
    state,
    initialized: meta !== undefined,
    sealed: state !== 'unsealed',
    active_epoch: active?.epoch ?? null,
    kdf: meta ? { algorithm: 'argon2id' as const, ...store.paramsOf(meta) } : null,
    shamir: {
      enabled: meta?.shamir_set_id != null,
      set_id: meta?.shamir_set_id ?? null,
      shares: meta?.shamir_shares ?? null,
      threshold: meta?.shamir_threshold ?? null,
      submitted,
    },
    failed_attempts: meta?.failed_attempts ?? 0,
    retry_after_secs: retryAfter,
    how_to_unseal: state === 'sealed' ? HOW_TO_UNSEAL : [],
  };
}
