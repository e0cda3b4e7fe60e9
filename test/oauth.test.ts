import { decodeJwt, decodeProtectedHeader } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult, Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/** OAuth2 client credentials (RFC 6749 §4.4) over real sockets: the happy path and every error. */
const TOKEN = 'oauth-test-admin-token-0123456789';
const SECRET = 'oauth-test-jwt-secret-0123456789abcdef';
const admin = { authorization: `Bearer ${TOKEN}` };
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const basic = (id: string, secret: string) => ({
  authorization: `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`,
});

function oauthError(res: HttpResult, status: number, error: string) {
  expect(res.status, res.text).toBe(status);
  expect(res.body.error).toBe(error);
  expect(typeof res.body.error_description).toBe('string');
  expect(res.headers.get('cache-control')).toBe('no-store');
}

describe('OAuth2 client credentials', () => {
  let s: TestServer;
  let client: Json;
  const token = (body: string, headers: Record<string, string> = {}) =>
    s.api.request('POST', '/api/v1/oauth/token', { body, headers: { ...FORM, ...headers } });

  beforeAll(async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'auth.oauth_token_ttl_secs': 600,
        'rate_limit.requests': 1000,
      },
    });
    const res = await s.api.post(
      '/api/v1/oauth/clients',
      { name: 'etl', role: 'write', namespace: 'work' },
      admin,
    );
    expect(res.status, res.text).toBe(201);
    client = res.body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('registers a client whose secret is shown once and stored hashed', async () => {
    expect(client.client_secret).toMatch(/^hx_oc_[A-Za-z0-9_-]{43}$/);
    expect(client).toMatchObject({ name: 'etl', role: 'write', namespace: 'work', revoked_at: null });
    const list = await s.api.get('/api/v1/oauth/clients', admin);
    expect(list.body.items.map((c: Json) => c.client_id)).toContain(client.client_id);
    expect(list.text).not.toContain(client.client_secret);
    const row = s.running.app.ctx.db
      .prepare('SELECT * FROM oauth_clients WHERE id = ?')
      .get(client.client_id) as Json;
    expect(JSON.stringify(row)).not.toContain(client.client_secret);
    expect((await s.api.post('/api/v1/oauth/clients', { name: 'x', namespace: 'work' })).status).toBe(401);
  });

  it('issues a short-lived HS256 JWT by HTTP Basic or form fields, which then works as a bearer', async () => {
    const res = await token('grant_type=client_credentials', basic(client.client_id, client.client_secret));
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 600, scope: 'write' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    expect(res.headers.get('pragma')).toBe('no-cache');
    expect(decodeProtectedHeader(res.body.access_token).alg).toBe('HS256');
    const claims = decodeJwt(res.body.access_token);
    expect(claims).toMatchObject({ role: 'write', namespace: 'work', client_id: client.client_id });
    expect(claims.exp! - claims.iat!).toBe(600);
    const bearer = { authorization: `Bearer ${res.body.access_token}` };
    const made = await s.api.post('/api/v1/nodes', { content: 'from oauth' }, bearer);
    expect(made.status, made.text).toBe(201);
    expect(made.body.namespace).toBe('work');
    expect((await s.api.post('/api/v1/nodes', { content: 'x', namespace: 'home' }, bearer)).status).toBe(403);
    const me = await s.api.get('/api/v1/consumers/whoami', bearer);
    expect(me.body).toMatchObject({ via: 'oauth', role: 'write', namespaces: ['work'] });

    const form = await token(
      `grant_type=client_credentials&client_id=${client.client_id}&client_secret=${encodeURIComponent(client.client_secret)}`,
    );
    expect(form.status, form.text).toBe(200);
  });

  it('narrows the role on request (scope) but never widens it', async () => {
    const auth = basic(client.client_id, client.client_secret);
    const read = await token('grant_type=client_credentials&scope=read', auth);
    expect(read.status).toBe(200);
    expect(read.body.scope).toBe('read');
    const bearer = { authorization: `Bearer ${read.body.access_token}` };
    expect((await s.api.post('/api/v1/nodes', { content: 'x' }, bearer)).status).toBe(403);
    oauthError(await token('grant_type=client_credentials&scope=admin', auth), 400, 'invalid_scope');
    oauthError(await token('grant_type=client_credentials&scope=root', auth), 400, 'invalid_scope');
  });

  it('answers each malformed request with its RFC 6749 §5.2 error', async () => {
    const auth = basic(client.client_id, client.client_secret);
    oauthError(await token('', auth), 400, 'invalid_request');
    oauthError(await token('grant_type=password&username=a&password=b', auth), 400, 'unsupported_grant_type');
    oauthError(
      await token('grant_type=client_credentials&grant_type=client_credentials', auth),
      400,
      'invalid_request',
    );
    const json = await s.api.request('POST', '/api/v1/oauth/token', {
      json: { grant_type: 'client_credentials' },
      headers: auth,
    });
    // not a form at all: not an OAuth request, so the usual Helix error shape
    expect(json.status).toBe(415);
    expect(json.body.error.code).toBe('unsupported_media_type');
    oauthError(
      await token(`grant_type=client_credentials&client_id=${client.client_id}&client_secret=x`, auth),
      400,
      'invalid_request',
    );
  });

  it('refuses bad client credentials with invalid_client (401), the same for every cause', async () => {
    const wrong = await token(
      'grant_type=client_credentials',
      basic(client.client_id, `${client.client_secret}x`),
    );
    oauthError(wrong, 401, 'invalid_client');
    expect(wrong.headers.get('www-authenticate')).toMatch(/^Basic/);
    const unknown = await token(
      'grant_type=client_credentials',
      basic('00000000-0000-7000-8000-000000000000', client.client_secret),
    );
    oauthError(unknown, 401, 'invalid_client');
    expect(unknown.body.error_description).toBe(wrong.body.error_description);
    oauthError(await token('grant_type=client_credentials', basic('not-a-uuid', 'x')), 401, 'invalid_client');
    oauthError(await token('grant_type=client_credentials'), 401, 'invalid_client');
    oauthError(
      await token('grant_type=client_credentials', { authorization: 'Basic !!!' }),
      401,
      'invalid_client',
    );
    expect(wrong.text).not.toContain(client.client_secret);
  });

  it('revoking a client voids the tokens it already holds', async () => {
    const c = (
      await s.api.post('/api/v1/oauth/clients', { name: 'temp', role: 'read', namespace: '*' }, admin)
    ).body;
    const t = await token('grant_type=client_credentials', basic(c.client_id, c.client_secret));
    const bearer = { authorization: `Bearer ${t.body.access_token}` };
    expect((await s.api.get('/api/v1/nodes', bearer)).status).toBe(200);
    expect((await s.api.del(`/api/v1/oauth/clients/${c.client_id}`, admin)).status).toBe(204);
    const after = await s.api.get('/api/v1/nodes', bearer);
    expect(after.status).toBe(401);
    expect(after.body.error.message).toMatch(/revoked/);
    oauthError(
      await token('grant_type=client_credentials', basic(c.client_id, c.client_secret)),
      401,
      'invalid_client',
    );
  });
});

describe('OAuth2 token endpoint limits and configuration', () => {
  let s: TestServer;
  afterAll(async () => {
    await s?.close();
  });

  it('rate limits failed attempts per peer: after the limit even the right secret is refused', async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.requests': 3,
      },
    });
    const c = (await s.api.post('/api/v1/oauth/clients', { name: 'rl', namespace: '*' }, admin)).body;
    const send = (secret: string) =>
      s.api.request('POST', '/api/v1/oauth/token', {
        body: 'grant_type=client_credentials',
        headers: { ...FORM, ...basic(c.client_id, secret), 'x-forwarded-for': `10.9.9.${Math.random()}` },
      });
    expect((await send(c.client_secret)).status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await send('wrong')).status);
    expect(statuses).toEqual([401, 401, 401]);
    const blocked = await send(c.client_secret);
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    await s.close();
  });

  it('answers a clear error when no jwt_secret is configured', async () => {
    s = await startTestServer({ flags: { 'auth.enabled': true, 'auth.token': TOKEN } });
    const c = (await s.api.post('/api/v1/oauth/clients', { name: 'nojwt', namespace: '*' }, admin)).body;
    const res = await s.api.request('POST', '/api/v1/oauth/token', {
      body: 'grant_type=client_credentials',
      headers: { ...FORM, ...basic(c.client_id, c.client_secret) },
    });
    expect(res.status).toBe(503);
    expect(res.body.error).toBe('temporarily_unavailable');
    expect(res.body.error_description).toMatch(/jwt_secret/);
  });
});
