import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Prefixes of the secrets Helix mints. They make a leaked secret recognisable (the output
 * sanitizer in redact.ts masks `hx_(key|ak|sh|oc)_…`) and say at a glance what it opens.
 */
export const SECRET_PREFIX = {
  apiKey: 'hx_key_',
  accessKey: 'hx_ak_',
  share: 'hx_sh_',
  oauthClient: 'hx_oc_',
} as const;
export type SecretKind = keyof typeof SECRET_PREFIX;

/** Random characters of the secret shown in lists and used to find its row. */
export const LOOKUP_CHARS = 8;

export interface MintedSecret {
  /** the whole secret: shown to its owner once, never stored */
  secret: string;
  /** `hx_key_AbCd1234`: visible, stored, used for lookup */
  prefix: string;
  /** SHA-256 of the whole secret, hex */
  hash: string;
}

/**
 * 32 random bytes (256 bits) from the OS CSPRNG, base64url. Stored as plain SHA-256 on purpose:
 * a slow password hash (Argon2id) exists to stretch low-entropy human passwords; a 256-bit random
 * secret cannot be brute-forced from its hash anyway, and a fast hash keeps every authenticated
 * request at microseconds instead of tens of milliseconds of Argon2.
 */
export function mintSecret(kind: SecretKind): MintedSecret {
  const secret = `${SECRET_PREFIX[kind]}${randomBytes(32).toString('base64url')}`;
  return { secret, prefix: lookupPrefix(secret), hash: hashSecret(secret) };
}

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** The visible part of a secret: its kind prefix and the first random characters. */
export function lookupPrefix(secret: string): string {
  const kind = Object.values(SECRET_PREFIX).find((p) => secret.startsWith(p)) ?? '';
  return secret.slice(0, kind.length + LOOKUP_CHARS);
}

/** Which kind of Helix secret a bearer value looks like, if any (43 base64url characters after the prefix). */
export function secretKindOf(value: string): SecretKind | undefined {
  for (const [kind, prefix] of Object.entries(SECRET_PREFIX) as [SecretKind, string][]) {
    if (value.startsWith(prefix) && /^[A-Za-z0-9_-]{43}$/.test(value.slice(prefix.length))) return kind;
  }
  return undefined;
}

/** Constant-time comparison of two hex digests. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}
