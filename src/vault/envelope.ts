import { randomBytes } from 'node:crypto';
import { HelixError } from '../core/errors.js';
import { NONCE_BYTES, open, SEALED_OVERHEAD, sealWithNonce, TAG_BYTES, wipe } from './aead.js';
import { type Argon2Params, deriveKek, deriveSubkey, OWASP_MIN, SALT_BYTES } from './kdf.js';

/**
 * The file envelope (docs/decisions/0006-vault-format.md):
 *
 *   "HXE1" | version u8 | source u8 | source fields | nonce[12] | ciphertext | tag[16]
 *   source 1 (passphrase): memory_kib u32be | iterations u32be | parallelism u8 | salt[16]
 *   source 2 (vault):      epoch u32be | salt[16]   (per-file key = HKDF(epoch key, salt))
 *
 * Every header byte, nonce included, is the GCM associated data: a changed parameter, epoch or
 * salt fails authentication just like a changed ciphertext byte.
 */
export const MAGIC = Buffer.from('HXE1', 'ascii');
export const ENVELOPE_VERSION = 1;
export const SOURCE_PASSPHRASE = 1;
export const SOURCE_VAULT = 2;
export const FILE_KEY_INFO = 'helix/vault/file/v1';

/** Bounds a header may claim, so a forged header cannot make us allocate gigabytes or spin. */
const MAX_MEMORY_KIB = 1 << 20;
const MAX_ITERATIONS = 64;
const MAX_PARALLELISM = 16;

export type EnvelopeHeader =
  | { source: 'passphrase'; params: Argon2Params; salt: Buffer; nonce: Buffer; length: number }
  | { source: 'vault'; epoch: number; salt: Buffer; nonce: Buffer; length: number };

export type EnvelopeKeySource =
  | { passphrase: string | Uint8Array; params?: Argon2Params }
  | { epoch: number; epochKey: Uint8Array };

const bad = (message: string) => new HelixError('decryption_failed', `envelope: ${message}`);

export const isEnvelope = (buf: Uint8Array): boolean =>
  buf.length >= MAGIC.length && Buffer.from(buf.subarray(0, MAGIC.length)).equals(MAGIC);

function header(source: EnvelopeKeySource, salt: Buffer, nonce: Buffer): Buffer {
  if ('passphrase' in source) {
    const p = source.params ?? OWASP_MIN;
    const fields = Buffer.alloc(9);
    fields.writeUInt32BE(p.memory_kib, 0);
    fields.writeUInt32BE(p.iterations, 4);
    fields.writeUInt8(p.parallelism, 8);
    return Buffer.concat([MAGIC, Buffer.from([ENVELOPE_VERSION, SOURCE_PASSPHRASE]), fields, salt, nonce]);
  }
  const fields = Buffer.alloc(4);
  fields.writeUInt32BE(source.epoch, 0);
  return Buffer.concat([MAGIC, Buffer.from([ENVELOPE_VERSION, SOURCE_VAULT]), fields, salt, nonce]);
}

/** Reads and bounds-checks a header without deriving anything. */
export function parseHeader(buf: Uint8Array): EnvelopeHeader {
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (!isEnvelope(b)) throw bad('not a Helix envelope (bad magic bytes)');
  if (b.length < 6) throw bad('truncated header');
  const version = b.readUInt8(4);
  if (version !== ENVELOPE_VERSION) throw bad(`unsupported version ${version}`);
  const source = b.readUInt8(5);
  if (source === SOURCE_PASSPHRASE) {
    const length = 6 + 9 + SALT_BYTES + NONCE_BYTES;
    if (b.length < length + TAG_BYTES) throw bad('truncated');
    const params = {
      memory_kib: b.readUInt32BE(6),
      iterations: b.readUInt32BE(10),
      parallelism: b.readUInt8(14),
    };
    if (
      params.memory_kib < OWASP_MIN.memory_kib ||
      params.memory_kib > MAX_MEMORY_KIB ||
      params.iterations < OWASP_MIN.iterations ||
      params.iterations > MAX_ITERATIONS ||
      params.parallelism < 1 ||
      params.parallelism > MAX_PARALLELISM
    )
      throw bad('key-derivation parameters out of range');
    const salt = Buffer.from(b.subarray(15, 15 + SALT_BYTES));
    const nonce = Buffer.from(b.subarray(15 + SALT_BYTES, length));
    return { source: 'passphrase', params, salt, nonce, length };
  }
  if (source === SOURCE_VAULT) {
    const length = 6 + 4 + SALT_BYTES + NONCE_BYTES;
    if (b.length < length + TAG_BYTES) throw bad('truncated');
    const epoch = b.readUInt32BE(6);
    const salt = Buffer.from(b.subarray(10, 10 + SALT_BYTES));
    const nonce = Buffer.from(b.subarray(10 + SALT_BYTES, length));
    return { source: 'vault', epoch, salt, nonce, length };
  }
  throw bad(`unknown key source ${source}`);
}

async function keyFor(source: EnvelopeKeySource, salt: Buffer): Promise<Buffer> {
  if ('passphrase' in source) return deriveKek(source.passphrase, salt, source.params ?? OWASP_MIN);
  return deriveSubkey(source.epochKey, FILE_KEY_INFO, salt);
}

/** Seals `plaintext` into a self-describing envelope (fresh salt and nonce every time). */
export async function encryptEnvelope(plaintext: Uint8Array, source: EnvelopeKeySource): Promise<Buffer> {
  const salt = randomBytes(SALT_BYTES);
  const nonce = randomBytes(NONCE_BYTES);
  const head = header(source, salt, nonce);
  const key = await keyFor(source, salt);
  try {
    // sealWithNonce prefixes the nonce, which the header already carries
    const sealed = sealWithNonce(key, nonce, plaintext, head);
    return Buffer.concat([head, sealed.subarray(NONCE_BYTES)]);
  } finally {
    wipe(key);
  }
}

/**
 * Opens an envelope. `resolve` supplies the key source for the header it is shown (a passphrase,
 * or the vault's key for that epoch); wrong keys and any altered byte fail the same clean way.
 */
export async function decryptEnvelope(
  buf: Uint8Array,
  resolve: (h: EnvelopeHeader) => Promise<EnvelopeKeySource> | EnvelopeKeySource,
): Promise<Buffer> {
  const h = parseHeader(buf);
  const b = Buffer.from(buf.buffer, buf.byteOffset, buf.byteLength);
  if (b.length < h.length - NONCE_BYTES + SEALED_OVERHEAD) throw bad('truncated');
  const source = await resolve(h);
  if ('passphrase' in source && h.source !== 'passphrase')
    throw bad('this file was sealed with the vault key, not a passphrase');
  if ('epochKey' in source && h.source !== 'vault')
    throw bad('this file was sealed with a passphrase: give --passphrase-stdin or --passphrase-file');
  const key =
    h.source === 'passphrase'
      ? await deriveKek((source as { passphrase: string }).passphrase, h.salt, h.params)
      : await keyFor(source, h.salt);
  try {
    const head = b.subarray(0, h.length);
    // re-assemble the aead blob: nonce || ciphertext || tag
    const blob = Buffer.concat([h.nonce, b.subarray(h.length)]);
    return open(key, blob, head, 'envelope');
  } finally {
    wipe(key);
  }
}
