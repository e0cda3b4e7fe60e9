import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { HelixError } from '../core/errors.js';
import { looksLikeJwt, verifyJwt } from './jwt.js';

const SECRET = 'unit-test-jwt-secret-0123456789abcdef';
const key = new TextEncoder().encode(SECRET);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

const sign = (claims: Record<string, unknown>, opts: { exp?: number; nbf?: number; alg?: string } = {}) => {
  const jwt = new SignJWT({ role: 'write', namespace: 'work', ...claims })
    .setProtectedHeader({ alg: opts.alg ?? 'HS256' })
    .setSubject('alice')
    .setExpirationTime(opts.exp ?? now() + 300);
  if (opts.nbf !== undefined) jwt.setNotBefore(opts.nbf);
  return jwt.sign(key);
};

/** Rejects with a 401 whose message says `why` and never echoes the token or the secret. */
async function rejects(token: string, why: RegExp) {
  const err = await verifyJwt(token, SECRET).catch((e: unknown) => e);
  expect(err).toBeInstanceOf(HelixError);
  const h = err as HelixError;
  expect(h.code).toBe('unauthenticated');
  expect(h.message).toMatch(why);
  expect(h.message).not.toContain(SECRET);
  expect(h.message).not.toContain(token.split('.')[1] ?? token);
}

describe('verifyJwt', () => {
  it('turns a valid HS256 token into a jwt principal', async () => {
    const p = await verifyJwt(await sign({}), SECRET);
    expect(p).toEqual({ id: 'alice', role: 'write', namespaces: ['work'], via: 'jwt' });
    const all = await verifyJwt(await sign({ role: 'admin', namespace: '*' }), SECRET);
    expect(all.namespaces).toEqual(['*']);
  });

  it('refuses alg none and algorithms other than HS256', async () => {
    const claims = { sub: 'alice', role: 'admin', namespace: '*', exp: now() + 300 };
    await rejects(`${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`, /only HS256/);
    await rejects(await sign({}, { alg: 'HS512' }), /only HS256/);
    await rejects(await sign({}, { alg: 'HS384' }), /only HS256/);
  });

  it('refuses a bad signature, tampered claims and a wrong key', async () => {
    const good = await sign({});
    const [h, , s] = good.split('.');
    await rejects(
      `${h}.${b64({ sub: 'alice', role: 'admin', namespace: '*', exp: now() + 300 })}.${s}`,
      /signature/,
    );
    const other = await new SignJWT({ role: 'admin', namespace: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .setExpirationTime(now() + 60)
      .sign(new TextEncoder().encode('another-secret-another-secret-xx'));
    await rejects(other, /signature/);
  });

  it('refuses expired and not-yet-valid tokens', async () => {
    await rejects(await sign({}, { exp: now() - 60 }), /expired/);
    await rejects(await sign({}, { nbf: now() + 600 }), /not yet valid/);
  });

  it('refuses missing or invalid role, namespace, sub and exp claims', async () => {
    await rejects(await sign({ role: undefined }), /role must be/);
    await rejects(await sign({ role: 'root' }), /role must be/);
    await rejects(await sign({ namespace: 7 }), /namespace/);
    await rejects(await sign({ namespace: undefined }), /namespace/);
    const noSub = await new SignJWT({ role: 'read', namespace: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(now() + 60)
      .sign(key);
    await rejects(noSub, /claim sub/);
    const noExp = await new SignJWT({ role: 'read', namespace: 'a' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('a')
      .sign(key);
    await rejects(noExp, /claim exp/);
  });

  it('refuses garbage that merely looks like a JWT', async () => {
    await rejects('abc.def.ghi', /malformed/);
    expect(looksLikeJwt('abc.def.ghi')).toBe(true);
    expect(looksLikeJwt('secret-token-123')).toBe(false);
  });
});
