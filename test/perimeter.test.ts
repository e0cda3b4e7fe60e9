import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The perimeter over real sockets: JWT attacks, per-identity rate limiting (and its bypass by
 * header spoofing) and security headers on every kind of response.
 */
const SECRET = 'perimeter-jwt-secret-0123456789abcdef';
const TOKEN = 'perimeter-shared-token-123';
const key = new TextEncoder().encode(SECRET);
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

const jwt = (claims: Record<string, unknown> = {}, alg = 'HS256', secret = key) =>
  new SignJWT({ role: 'write', namespace: 'work', ...claims })
    .setProtectedHeader({ alg })
    .setSubject(typeof claims.sub === 'string' ? claims.sub : 'alice')
    .setExpirationTime(typeof claims.exp === 'number' ? claims.exp : now() + 300)
    .sign(secret);

const flags = (requests: number) => ({
  'auth.enabled': true,
  'auth.token': TOKEN,
  'auth.jwt_secret': SECRET,
  'rate_limit.requests': requests,
  'rate_limit.window_secs': 60,
});

/** A 401 with the one error shape that says nothing about the secret or the token's claims. */
function unauthenticated(res: HttpResult, why: RegExp) {
  expect(res.status).toBe(401);
  expect(res.body.error.code).toBe('unauthenticated');
  expect(res.body.error.message).toMatch(why);
  expect(res.text).not.toContain(SECRET);
}

describe('JWT authentication and security headers', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ flags: flags(1000) });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('accepts an HS256 JWT and keeps the shared token working', async () => {
    const ok = await s.api.get('/api/v1/nodes', bearer(await jwt()));
    expect(ok.status).toBe(200);
    expect((await s.api.get('/api/v1/nodes', bearer(TOKEN))).status).toBe(200);
    const made = await s.api.post('/api/v1/nodes', { content: 'x', namespace: 'work' }, bearer(await jwt()));
    expect(made.status).toBe(201);
    const read = await jwt({ role: 'read' });
    const denied = await s.api.post('/api/v1/nodes', { content: 'x', namespace: 'work' }, bearer(read));
    expect(denied.status).toBe(403);
  });

  it('rejects alg none, HS512, a wrong key, tampering, expiry, future nbf and a bad role', async () => {
    const claims = { sub: 'alice', role: 'admin', namespace: '*', exp: now() + 300 };
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const get = (t: string) => s.api.get('/api/v1/nodes', bearer(t));
    unauthenticated(await get(none), /only HS256/);
    // HS512 crafted by hand with the right secret: still refused, the algorithm is pinned
    const { createHmac } = await import('node:crypto');
    const head512 = `${b64({ alg: 'HS512', typ: 'JWT' })}.${b64(claims)}`;
    const hs512 = `${head512}.${createHmac('sha512', SECRET).update(head512).digest('base64url')}`;
    unauthenticated(await get(hs512), /only HS256/);
    unauthenticated(
      await get(await jwt({}, 'HS256', new TextEncoder().encode('wrong-key-wrong-key-wrong-key!!'))),
      /signature/,
    );
    const [h, , sig] = (await jwt()).split('.');
    unauthenticated(await get(`${h}.${b64(claims)}.${sig}`), /signature/);
    unauthenticated(await get(await jwt({ exp: now() - 60 })), /expired/);
    const future = await new SignJWT({ role: 'read', namespace: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setNotBefore(now() + 3600)
      .setExpirationTime(now() + 7200)
      .sign(key);
    unauthenticated(await get(future), /not yet valid/);
    unauthenticated(await get(await jwt({ role: 'root' })), /role must be/);
    unauthenticated(await get(await jwt({ role: undefined })), /role must be/);
  });

  const expectSecurityHeaders = (res: HttpResult) => {
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toMatch(/https:|unsafe-eval|\*/);
    expect(res.headers.get('x-frame-options')).toBe('DENY');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    expect(res.headers.get('permissions-policy')).toContain('camera=()');
    // plain HTTP on loopback: no HSTS
    expect(res.headers.get('strict-transport-security')).toBeNull();
  };

  it('sends security headers on JSON, error and Swagger UI responses', async () => {
    const json = await s.api.get('/api/v1/nodes', bearer(TOKEN));
    expect(json.status).toBe(200);
    expectSecurityHeaders(json);
    const noAuth = await s.api.get('/api/v1/nodes');
    expect(noAuth.status).toBe(401);
    expectSecurityHeaders(noAuth);
    const missing = await s.api.get('/api/v1/no-such-route', bearer(TOKEN));
    expect(missing.status).toBe(404);
    expectSecurityHeaders(missing);
    const docs = await s.api.get('/api/docs');
    expect(docs.status).toBe(200);
    expectSecurityHeaders(docs);
    // every script and stylesheet the page loads is same-origin, so CSP 'self' lets it run
    expect(docs.text).not.toMatch(/<script>|<style>|(src|href)="(https?:)?\/\//);
  });
});

describe('rate limiting per identity', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ flags: flags(5) });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('counts an identity, shows its state, then answers 429 with Retry-After', async () => {
    const alice = bearer(await jwt({ sub: 'rl-alice' }));
    const state = await s.api.get('/api/v1/rate-limits', alice);
    expect(state.status).toBe(200);
    expect(state.body).toMatchObject({ enabled: true, limit: 5, window_secs: 60, remaining: 4 });
    expect(Date.parse(state.body.reset_at)).toBeGreaterThan(Date.now());
    for (let i = 0; i < 4; i++) expect((await s.api.get('/api/v1/nodes', alice)).status).toBe(200);
    const over = await s.api.get('/api/v1/nodes', alice);
    expect(over.status).toBe(429);
    expect(over.body.error.code).toBe('rate_limited');
    const { limit, window_secs, retry_after_secs } = over.body.error.details;
    expect({ limit, window_secs }).toEqual({ limit: 5, window_secs: 60 });
    expect(retry_after_secs).toBeGreaterThanOrEqual(1);
    expect(over.headers.get('retry-after')).toBe(String(retry_after_secs));
    expect(over.headers.get('x-content-type-options')).toBe('nosniff');
    // another identity (the shared token) has its own bucket; public routes are exempt
    expect((await s.api.get('/api/v1/nodes', bearer(TOKEN))).status).toBe(200);
    for (let i = 0; i < 7; i++) expect((await s.api.get('/api/v1/health', alice)).status).toBe(200);
    expect((await s.api.get('/api/docs')).status).toBe(200);
  });

  it('keys anonymous callers by socket address: spoofing X-Forwarded-For does not reset the limit', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 8; i++) {
      const spoof = {
        'x-forwarded-for': `10.0.0.${i}`,
        'x-real-ip': `10.0.1.${i}`,
        forwarded: `for=10.0.2.${i}`,
      };
      statuses.push((await s.api.get('/api/v1/nodes', spoof)).status);
    }
    // failed attempts count too, so token guessing is limited by address
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429, 429]);
    const guess = await s.api.get('/api/v1/nodes', { ...bearer('guess'), 'x-forwarded-for': '192.0.2.1' });
    expect(guess.status).toBe(429);
  });
});
