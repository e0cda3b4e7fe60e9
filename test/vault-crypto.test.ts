import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { HelixError } from '../src/core/errors.js';
import { NONCE_BYTES, open, seal } from '../src/vault/aead.js';
import { decryptEnvelope, encryptEnvelope, parseHeader } from '../src/vault/envelope.js';
import { deriveKek, deriveSubkey, OWASP_MIN } from '../src/vault/kdf.js';

const key = randomBytes(32);
const isClean = (err: unknown) =>
  err instanceof HelixError && err.code === 'decryption_failed' && !String(err.message).includes('at ');

async function rejects(p: Promise<unknown> | (() => unknown)): Promise<unknown> {
  try {
    await (typeof p === 'function' ? p() : p);
  } catch (err) {
    return err;
  }
  throw new Error('expected a rejection');
}

describe('AES-256-GCM primitives', () => {
  it('round-trips with associated data and refuses another aad or key', () => {
    const blob = seal(key, Buffer.from('hello'), 'row-1');
    expect(open(key, blob, 'row-1').toString()).toBe('hello');
    expect(() => open(key, blob, 'row-2')).toThrow(HelixError);
    expect(() => open(randomBytes(32), blob, 'row-1')).toThrow(/authentication failed/);
  });

  it('rejects every single flipped byte and every truncation of a sealed blob', () => {
    const blob = seal(key, Buffer.from('a small secret'), 'aad');
    for (let i = 0; i < blob.length; i++) {
      const bad = Buffer.from(blob);
      bad[i]! ^= 0x01;
      let err: unknown;
      try {
        open(key, bad, 'aad');
      } catch (e) {
        err = e;
      }
      expect(isClean(err), `byte ${i}`).toBe(true);
    }
    for (let n = 0; n < blob.length; n++)
      expect(() => open(key, blob.subarray(0, n), 'aad')).toThrow(HelixError);
  });

  it('never reuses a nonce across 100k encryptions under one key', () => {
    const nonces = new Set<string>();
    const pt = Buffer.from('x');
    for (let i = 0; i < 100_000; i++) nonces.add(seal(key, pt, '').subarray(0, NONCE_BYTES).toString('hex'));
    expect(nonces.size).toBe(100_000);
  });
});

describe('key derivation', () => {
  it('Argon2id is deterministic per salt and params, different otherwise', async () => {
    const salt = randomBytes(16);
    const a = await deriveKek('correct horse', salt, OWASP_MIN);
    expect(a.length).toBe(32);
    expect((await deriveKek('correct horse', salt, OWASP_MIN)).equals(a)).toBe(true);
    expect((await deriveKek('correct horsf', salt, OWASP_MIN)).equals(a)).toBe(false);
    expect((await deriveKek('correct horse', randomBytes(16), OWASP_MIN)).equals(a)).toBe(false);
    expect((await deriveKek('correct horse', salt, { ...OWASP_MIN, iterations: 3 })).equals(a)).toBe(false);
  });

  it('HKDF gives distinct keys per purpose and instance', () => {
    const a = deriveSubkey(key, 'helix/vault/domain/v1', 'd1');
    expect(deriveSubkey(key, 'helix/vault/domain/v1', 'd1').equals(a)).toBe(true);
    expect(deriveSubkey(key, 'helix/vault/domain/v1', 'd2').equals(a)).toBe(false);
    expect(deriveSubkey(key, 'helix/vault/secrets/v1', 'd1').equals(a)).toBe(false);
  });
});

describe('file envelope', () => {
  const vault = { epoch: 7, epochKey: key };

  it('round-trips with the vault key and with a passphrase; the header says which', async () => {
    const data = randomBytes(1000);
    const v = await encryptEnvelope(data, vault);
    expect(v.subarray(0, 4).toString()).toBe('HXE1');
    expect(parseHeader(v)).toMatchObject({ source: 'vault', epoch: 7 });
    expect((await decryptEnvelope(v, () => vault)).equals(data)).toBe(true);
    const p = await encryptEnvelope(data, { passphrase: 'pass phrase 1' });
    expect(parseHeader(p)).toMatchObject({ source: 'passphrase', params: OWASP_MIN });
    expect((await decryptEnvelope(p, () => ({ passphrase: 'pass phrase 1' }))).equals(data)).toBe(true);
    const wrong = await rejects(decryptEnvelope(p, () => ({ passphrase: 'pass phrase 2' })));
    expect(isClean(wrong)).toBe(true);
    // same input, fresh salt and nonce: never the same bytes twice
    expect((await encryptEnvelope(data, vault)).equals(v)).toBe(false);
  });

  it('rejects every flipped byte of a vault envelope, cleanly', async () => {
    const env = await encryptEnvelope(Buffer.from('tiny secret'), vault);
    for (let i = 0; i < env.length; i++) {
      const bad = Buffer.from(env);
      bad[i]! ^= 0xff;
      const err = await rejects(decryptEnvelope(bad, () => vault));
      expect(isClean(err), `byte ${i}: ${String(err)}`).toBe(true);
    }
  });

  it('rejects every flipped byte of a passphrase envelope, cleanly (forged KDF params are bounded)', async () => {
    const env = await encryptEnvelope(Buffer.from('tiny'), { passphrase: 'pass phrase 1' });
    for (let i = 0; i < env.length; i++) {
      const bad = Buffer.from(env);
      bad[i]! ^= 0xff;
      const err = await rejects(decryptEnvelope(bad, () => ({ passphrase: 'pass phrase 1' })));
      expect(isClean(err), `byte ${i}: ${String(err)}`).toBe(true);
    }
  }, 120_000);

  it('rejects every truncation', async () => {
    const env = await encryptEnvelope(Buffer.from('tiny secret'), vault);
    for (let n = 0; n < env.length; n++) {
      const err = await rejects(decryptEnvelope(env.subarray(0, n), () => vault));
      expect(isClean(err), `length ${n}`).toBe(true);
    }
  });
});
