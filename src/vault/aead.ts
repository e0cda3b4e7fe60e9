import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HelixError } from '../core/errors.js';

export const KEY_BYTES = 32;
export const NONCE_BYTES = 12;
export const TAG_BYTES = 16;

/** The smallest sealed blob: a nonce and a tag around an empty plaintext. */
export const SEALED_OVERHEAD = NONCE_BYTES + TAG_BYTES;

const decryptionFailed = (what: string) =>
  new HelixError(
    'decryption_failed',
    `${what}: authentication failed (wrong key, or tampered or truncated data)`,
  );

function checkKey(key: Uint8Array): void {
  if (key.length !== KEY_BYTES) throw new Error(`AES-256-GCM needs a ${KEY_BYTES}-byte key`);
}

// randomBytes costs ~6 µs a call, more than the encryption of a short note: nonces are cut from a
// larger block of CSPRNG output instead, each 12-byte slice used once (node fields seal often)
const NONCE_POOL = NONCE_BYTES * 1024;
let pool = Buffer.alloc(0);
let used = 0;
function freshNonce(): Buffer {
  if (used + NONCE_BYTES > pool.length) {
    pool = randomBytes(NONCE_POOL);
    used = 0;
  }
  const nonce = pool.subarray(used, used + NONCE_BYTES);
  used += NONCE_BYTES;
  return nonce;
}

/**
 * AES-256-GCM with a fresh random 96-bit nonce on every call: `nonce || ciphertext || tag`.
 * Random nonces under one key stay safe far beyond anything a personal vault writes (2^32 messages).
 * `aad` binds the blob to where it lives (a row id, a version), so blobs cannot be swapped.
 */
export function seal(key: Uint8Array, plaintext: Uint8Array, aad: Uint8Array | string): Buffer {
  checkKey(key);
  return sealWithNonce(key, freshNonce(), plaintext, aad);
}

/** Encrypts with a caller-chosen nonce (envelopes put the nonce in their header); never reuse one. */
export function sealWithNonce(
  key: Uint8Array,
  nonce: Uint8Array,
  plaintext: Uint8Array,
  aad: Uint8Array | string,
): Buffer {
  const cipher = createCipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
  cipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([nonce, body, cipher.getAuthTag()]);
}

/** Decrypts a `seal` blob; any mismatch (key, aad, a flipped bit, a cut) is one clean error. */
export function open(
  key: Uint8Array,
  blob: Uint8Array,
  aad: Uint8Array | string,
  what = 'ciphertext',
): Buffer {
  checkKey(key);
  if (blob.length < SEALED_OVERHEAD) throw decryptionFailed(what);
  const buf = Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
  const nonce = buf.subarray(0, NONCE_BYTES);
  const tag = buf.subarray(buf.length - TAG_BYTES);
  const body = buf.subarray(NONCE_BYTES, buf.length - TAG_BYTES);
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, nonce, { authTagLength: TAG_BYTES });
    decipher.setAAD(typeof aad === 'string' ? Buffer.from(aad) : aad);
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]);
  } catch {
    throw decryptionFailed(what);
  }
}

/** Overwrites key material in place (best effort: V8 may have copied it before). */
export function wipe(...buffers: (Uint8Array | undefined | null)[]): void {
  for (const b of buffers) b?.fill(0);
}
