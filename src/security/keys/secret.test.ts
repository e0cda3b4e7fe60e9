import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { hashSecret, lookupPrefix, mintSecret, sameHash, secretKindOf } from './secret.js';

describe('minted secrets', () => {
  it('are 256-bit, prefixed, and stored as SHA-256 with a short visible prefix', () => {
    const a = mintSecret('apiKey');
    const b = mintSecret('apiKey');
    expect(a.secret).toMatch(/^hx_key_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(a.secret.slice(7), 'base64url')).toHaveLength(32);
    expect(a.secret).not.toBe(b.secret);
    expect(a.hash).toBe(createHash('sha256').update(a.secret).digest('hex'));
    expect(a.prefix).toBe(a.secret.slice(0, 15));
    expect(lookupPrefix(a.secret)).toBe(a.prefix);
    expect(mintSecret('accessKey').secret).toMatch(/^hx_ak_/);
    expect(mintSecret('share').secret).toMatch(/^hx_sh_/);
    expect(mintSecret('oauthClient').secret).toMatch(/^hx_oc_/);
  });

  it('are recognised by shape only when whole', () => {
    const k = mintSecret('accessKey').secret;
    expect(secretKindOf(k)).toBe('accessKey');
    expect(secretKindOf(mintSecret('apiKey').secret)).toBe('apiKey');
    expect(secretKindOf(k.slice(0, -1))).toBeUndefined();
    expect(secretKindOf(`${k}x`)).toBeUndefined();
    expect(secretKindOf('hx_key_short')).toBeUndefined();
    expect(secretKindOf('a.b.c')).toBeUndefined();
  });

  it('compare hashes in constant time and never match an empty or different one', () => {
    const h = hashSecret('x');
    expect(sameHash(h, hashSecret('x'))).toBe(true);
    expect(sameHash(h, hashSecret('y'))).toBe(false);
    expect(sameHash(h, '')).toBe(false);
    expect(sameHash('', '')).toBe(false);
    expect(sameHash(h, h.slice(0, 10))).toBe(false);
  });
});
