import { hkdfSync, randomBytes } from 'node:crypto';
import { hashRaw } from '@node-rs/argon2';
import { KEY_BYTES } from './aead.js';

/** Argon2id parameters, stored beside every salt so old vaults open after defaults change. */
export interface Argon2Params {
  memory_kib: number;
  iterations: number;
  parallelism: number;
}

/** OWASP's minimum for Argon2id (19 MiB, 2 passes, 1 lane); config may only raise it. */
export const OWASP_MIN: Argon2Params = { memory_kib: 19456, iterations: 2, parallelism: 1 };
export const SALT_BYTES = 16;

// @node-rs/argon2 declares Algorithm as a const enum, which isolatedModules cannot inline
const ARGON2ID = 2;

export const newSalt = (): Buffer => randomBytes(SALT_BYTES);

/** Derives a 256-bit key-encryption key from a passphrase (off the main thread: it takes tens of ms). */
export async function deriveKek(passphrase: string | Uint8Array, salt: Uint8Array, params: Argon2Params) {
  return hashRaw(passphrase, {
    algorithm: ARGON2ID,
    salt,
    memoryCost: params.memory_kib,
    timeCost: params.iterations,
    parallelism: params.parallelism,
    outputLen: KEY_BYTES,
  });
}

/** HKDF-SHA256: one purpose-bound key from a root key; `info` names the purpose, `salt` the instance. */
export function deriveSubkey(root: Uint8Array, info: string, salt: Uint8Array | string = ''): Buffer {
  return Buffer.from(hkdfSync('sha256', root, salt, info, KEY_BYTES));
}

/** Params from config, never below the OWASP floor whatever the file says. */
export function kdfParamsFrom(config: {
  argon2_memory_kib: number;
  argon2_iterations: number;
  argon2_parallelism: number;
}): Argon2Params {
  return {
    memory_kib: Math.max(OWASP_MIN.memory_kib, config.argon2_memory_kib),
    iterations: Math.max(OWASP_MIN.iterations, config.argon2_iterations),
    parallelism: Math.max(OWASP_MIN.parallelism, config.argon2_parallelism),
  };
}
