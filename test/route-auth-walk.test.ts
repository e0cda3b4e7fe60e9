import { randomUUID } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './support/http.js';
import { coreRouteTable, documentedRoutes, type OpenApiDoc, type RouteEntry } from './support/routes.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Walks every route the core serves — the live OpenAPI document plus Fastify's own route table
 * (which also holds hidden routes) — so a route added later is covered without editing this file:
 * an anonymous call must be refused (401) and a `read` principal must not write (403).
 */
const TOKEN = 'walk-admin-token-0123456789abcdef';
const SECRET = 'walk-jwt-secret-0123456789abcdef';

/** Reachable without credentials, each for a stated reason. */
const PUBLIC: ReadonlyArray<[method: string, path: RegExp, why: string]> = [
  ['GET', /^\/api\/v1\/health$/, 'liveness probes for supervisors and load balancers'],
  ['GET', /^\/metrics$/, 'Prometheus scraping (public while no [metrics] auth switch exists)'],
  ['GET', /^\/api\/openapi\.json$/, 'the API description holds no data'],
  ['GET', /^\/api\/docs(\/.*)?$/, 'Swagger UI static assets'],
  ['POST', /^\/api\/v1\/oauth\/token$/, 'OAuth2 clients authenticate in the request itself (RFC 6749 §4.4)'],
  ['GET', /^\/public\/shares\/\{token\}$/, 'the share token in the path is the credential'],
  [
    'GET',
    /^\/api\/v1\/ws$/,
    'a browser cannot set headers on an upgrade: the socket authenticates itself (header or first message); a plain GET is a 404',
  ],
];

/**
 * Writes a `read` principal may call, because they read or only propose. Keep in step with
 * OPEN_TO_READERS / `config.readOnly` in src/security/write-guard.ts.
 */
const READ_BY_NATURE: ReadonlyArray<[method: string, path: string, why: string]> = [
  ['POST', '/api/v1/recall', 'a search with a JSON body'],
  ['POST', '/api/v1/exchange/proposals', 'proposing is how a view-tier key asks; the owner decides'],
  ['POST', '/mcp', 'MCP JSON-RPC: each tool checks its own action; a view key’s writes become proposals'],
];

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);
const isPublic = (r: RouteEntry) => PUBLIC.some(([m, p]) => m === r.method && p.test(r.path));
const readByNature = (r: RouteEntry) => READ_BY_NATURE.some(([m, p]) => m === r.method && p === r.path);

/** A concrete URL for a route pattern: UUIDs for ids, a dummy for other parameters and wildcards. */
const concrete = (path: string) =>
  path
    .replace(/\{(\w+)\}/g, (_m, name: string) => (/id$/.test(name) ? randomUUID() : 'x'))
    .replace(/\*/g, 'x');

describe('every route checks authentication and the read role', () => {
  let s: TestServer;
  let routes: RouteEntry[];
  const readers: Record<string, string> = {};

  beforeAll(async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.requests': 1_000_000,
      },
    });
    const doc = (await s.api.get('/api/openapi.json')).body as OpenApiDoc;
    const seen = new Map<string, RouteEntry>();
    for (const r of [...documentedRoutes(doc), ...(await coreRouteTable())])
      seen.set(`${r.method} ${r.path}`, { method: r.method, path: r.path });
    routes = [...seen.values()].filter((r) => r.method !== 'HEAD' && r.method !== 'OPTIONS');
    readers.jwt = await new SignJWT({ role: 'read', namespace: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('walker')
      .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
      .sign(new TextEncoder().encode(SECRET));
    const admin = { authorization: `Bearer ${TOKEN}` };
    readers.api_key = (
      await s.api.post('/api/v1/keys', { name: 'walk', role: 'read', namespaces: ['*'] }, admin)
    ).body.key;
    const t = await s.api.post(
      '/api/v1/permission-templates',
      { name: 'walk-view', tier: 'view', scope_namespace: '*' },
      admin,
    );
    readers.access_key = (
      await s.api.post('/api/v1/access-keys', { name: 'walk', template_id: t.body.id }, admin)
    ).body.key;
    for (const [via, key] of Object.entries(readers)) expect(key, via).toBeTruthy();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('finds the routes (including the ones this issue adds)', () => {
    const names = routes.map((r) => `${r.method} ${r.path}`);
    expect(routes.length).toBeGreaterThan(40);
    for (const must of [
      'POST /api/v1/keys',
      'DELETE /api/v1/access-keys/{id}',
      'PUT /api/v1/permission-templates/{id}',
      'GET /api/v1/consumers/whoami',
      'POST /api/v1/oauth/token',
      'GET /public/shares/{token}',
      'GET /metrics',
    ])
      expect(names).toContain(must);
  });

  it('answers 401 to an anonymous call on every non-public route', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const r of routes) {
      if (isPublic(r)) continue;
      const res = await s.api.request(r.method, concrete(r.path), WRITES.has(r.method) ? { json: {} } : {});
      checked++;
      if (res.status !== 401) failures.push(`${r.method} ${r.path} → ${res.status}`);
    }
    console.log(`route walk: ${checked} routes refused anonymously`);
    expect(failures).toEqual([]);
    expect(checked).toBeGreaterThan(40);
  });

  it('lets anonymous callers reach the public routes (and nothing else is public)', async () => {
    for (const [method, , why] of PUBLIC) {
      expect(why.length).toBeGreaterThan(0);
      expect(method).toMatch(/^(GET|POST)$/);
    }
    const health = await s.api.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect((await s.api.get(`/public/shares/hx_sh_${'A'.repeat(43)}`)).status).toBe(404);
    const token = await s.api.request('POST', '/api/v1/oauth/token', {
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(token.status).toBe(401);
    expect(token.body.error).toBe('invalid_client');
  });

  it('refuses every write to a read principal (JWT, API key, view-tier access key) with 403', async () => {
    const failures: string[] = [];
    let checked = 0;
    for (const [via, key] of Object.entries(readers)) {
      const auth = { authorization: `Bearer ${key}` };
      for (const r of routes) {
        if (isPublic(r)) continue;
        const res = await s.api.request(r.method, concrete(r.path), {
          headers: auth,
          ...(WRITES.has(r.method) ? { json: {} } : {}),
        });
        checked++;
        if (res.status === 401) failures.push(`${via} ${r.method} ${r.path} → 401 (credential refused)`);
        if (!WRITES.has(r.method)) continue;
        const refused = res.status === 403;
        if (
          readByNature(r) ? refused && /role read/.test((res.body as Json)?.error?.message ?? '') : !refused
        )
          failures.push(`${via} ${r.method} ${r.path} → ${res.status} ${res.text.slice(0, 120)}`);
      }
    }
    console.log(`route walk: ${checked} route × read-principal calls`);
    expect(failures).toEqual([]);
  });
});
