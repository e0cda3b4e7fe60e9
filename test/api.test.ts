import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ApiNode, createNode, createNodes, NODE_FIELDS, relate } from './support/factories.js';
import { errorOf, type HttpResult, qs, walkPages } from './support/http.js';
import { coreRouteTable, documentedRoutes, type OpenApiDoc } from './support/routes.js';
import { startTestServer, type TestServer } from './support/server.js';

let s: TestServer;
beforeAll(async () => {
  s = await startTestServer();
});
afterAll(async () => {
  await s?.close();
});

const ids = (items: { id: string }[]) => items.map((n) => n.id).sort();
const node = (id: string) => s.api.get<ApiNode>(`/api/v1/nodes/${id}`);
type Hit = { node: ApiNode; score: number; match_source: string; snippet: string };
const search = async (params: Record<string, string | number>): Promise<Hit[]> => {
  const res = await s.api.get(`/api/v1/search${qs(params)}`);
  expect(res.status, res.text).toBe(200);
  return res.body.results;
};
const found = async (q: string) => ids((await search({ q, limit: 50 })).map((r) => r.node));
/** asserts the one error shape, the status and code, and returns the message */
const failure = (res: HttpResult, status: number, code: string) => {
  expect(res.status, res.text).toBe(status);
  const e = errorOf(res);
  expect(e.code).toBe(code);
  expect(e.request_id).toBe(res.headers.get('x-request-id'));
  return e.message;
};

describe('nodes', () => {
  it('POST returns 201 with every reference field', async () => {
    const res = await s.api.post<ApiNode>('/api/v1/nodes', {
      kind: 'task',
      title: 'Buy milk',
      content: 'two litres',
      source: 'https://example.com/x',
      namespace: 'home',
      tags: ['shop', 'Errand'],
      importance: 0.8,
      metadata: { task_status: 'todo' },
      expires_at: '2099-01-01T00:00:00+02:00',
    });
    expect(res.status, res.text).toBe(201);
    const n = res.body;
    expect(Object.keys(n).sort()).toEqual(NODE_FIELDS);
    expect(n).toMatchObject({ kind: 'task', title: 'Buy milk', content: 'two litres', namespace: 'home' });
    expect(n).toMatchObject({
      source: 'https://example.com/x',
      importance: 0.8,
      access_count: 0,
      version: 1,
    });
    expect(n).toMatchObject({ metadata: { task_status: 'todo' }, expires_at: '2098-12-31T22:00:00.000Z' });
    expect(n.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(n.tags.map((t) => t.toLowerCase()).sort()).toEqual(['errand', 'shop']);
    for (const t of [n.created_at, n.updated_at]) expect(new Date(t).toISOString()).toBe(t);
    expect(n.last_accessed_at === null || typeof n.last_accessed_at === 'string').toBe(true);
    expect((await node(n.id)).body).toMatchObject({ id: n.id, content: 'two litres' });
  });

  it('lists with namespace/kind/tag/created_* filters and pages through every node exactly once', async () => {
    const made = await createNodes(s.api, 25, (i) => ({
      namespace: 'listing',
      kind: i % 2 ? 'task' : 'fact',
      tags: i % 5 === 0 ? ['fifth'] : [],
    }));
    const walk = await walkPages(s.api, '/api/v1/nodes', { namespace: 'listing', limit: 10 });
    expect(walk.pages).toBe(3);
    expect(new Set(walk.ids).size).toBe(walk.ids.length);
    expect([...walk.ids].sort()).toEqual(ids(made));
    const list = async (p: Record<string, string>) =>
      ids((await s.api.get(`/api/v1/nodes${qs({ namespace: 'listing', limit: 100, ...p })}`)).body.items);
    expect(await list({ kind: 'task' })).toEqual(ids(made.filter((_, i) => i % 2)));
    expect(await list({ tag: 'fifth' })).toEqual(ids(made.filter((_, i) => i % 5 === 0)));
    const pivot = made[12]!.created_at;
    expect(await list({ created_after: pivot })).toEqual(ids(made.filter((n) => n.created_at > pivot)));
    expect(await list({ created_before: pivot })).toEqual(ids(made.filter((n) => n.created_at < pivot)));
    const empty = await s.api.get('/api/v1/nodes?namespace=nobody-here');
    expect(empty.body).toEqual({ items: [], next_cursor: null });
  });

  it('PUT changes only the fields sent; a stale expected_version is a 409 that changes nothing', async () => {
    const n = await createNode(s.api, { title: 'Old', content: 'keep me', tags: ['x'] });
    const put = await s.api.put<ApiNode>(`/api/v1/nodes/${n.id}`, { title: 'New' });
    expect(put.status, put.text).toBe(200);
    expect(put.body).toMatchObject({ title: 'New', content: 'keep me', tags: ['x'], version: 2 });
    const stale = await s.api.put(`/api/v1/nodes/${n.id}`, { content: 'lost', expected_version: 1 });
    failure(stale, 409, 'version_conflict');
    expect((await node(n.id)).body).toMatchObject({ title: 'New', content: 'keep me', version: 2 });
    const fresh = await s.api.put(`/api/v1/nodes/${n.id}`, { content: 'fresh', expected_version: 2 });
    expect(fresh.body.version).toBe(3);
  });

  it('DELETE answers 204, then the node is gone from get, list and search', async () => {
    const n = await createNode(s.api, { namespace: 'doomed', content: 'vanishingword appears here' });
    expect(await found('vanishingword')).toEqual([n.id]);
    const del = await s.api.del(`/api/v1/nodes/${n.id}`);
    expect([del.status, del.text]).toEqual([204, '']);
    failure(await node(n.id), 404, 'not_found');
    failure(await s.api.del(`/api/v1/nodes/${n.id}`), 404, 'not_found');
    expect((await s.api.get('/api/v1/nodes?namespace=doomed')).body.items).toEqual([]);
    expect(await found('vanishingword')).toEqual([]);
  });
});

describe('versions', () => {
  it('lists, reads (with state) and restores versions; a restore is a new version', async () => {
    const n = await createNode(s.api, { title: 'v1 title', content: 'first text' });
    await s.api.put(`/api/v1/nodes/${n.id}`, { content: 'second text' });
    await s.api.put(`/api/v1/nodes/${n.id}`, { title: 'v3 title' });
    const history = async () =>
      (await s.api.get(`/api/v1/nodes/${n.id}/versions`)).body.items as {
        id: string;
        version: number;
        operation: string;
      }[];
    const before = await history();
    expect(before.map((v) => `${v.version}:${v.operation}`)).toEqual(['3:update', '2:update', '1:create']);
    const v1 = before[2]!.id;
    const one = await s.api.get(`/api/v1/nodes/${n.id}/versions/${v1}`);
    expect(one.status, one.text).toBe(200);
    expect(one.body.state).toMatchObject({ id: n.id, title: 'v1 title', content: 'first text', version: 1 });
    const restored = await s.api.post<ApiNode>(`/api/v1/nodes/${n.id}/versions/${v1}/restore`);
    expect(restored.status, restored.text).toBe(200);
    expect(restored.body).toMatchObject({ title: 'v1 title', content: 'first text', version: 4 });
    expect((await history()).map((v) => `${v.version}:${v.operation}`)).toEqual([
      '4:restore',
      '3:update',
      '2:update',
      '1:create',
    ]);
    failure(await s.api.get(`/api/v1/nodes/${n.id}/versions/${n.id}`), 404, 'not_found');
  });
});

describe('relationships and graph', () => {
  it('creates, reads, deletes edges; neighbors by depth and kind; backlinks; a deleted node drops its edges', async () => {
    const [a, b, c] = (await createNodes(s.api, 3)).map((n) => n.id) as [string, string, string];
    const ab = await relate(s.api, a, b, 'relates_to');
    const bc = await relate(s.api, b, c, 'depends_on');
    expect(ab).toMatchObject({ from_node: a, to_node: b, kind: 'relates_to', weight: 1, metadata: {} });
    expect((await s.api.get(`/api/v1/graph/relationships/${ab.id}`)).body).toEqual(ab);
    const near = async (id: string, p: Record<string, string | number>) =>
      (
        (await s.api.get(`/api/v1/graph/neighbors/${id}${qs(p)}`)).body.neighbors as {
          node: ApiNode;
          depth: number;
        }[]
      )
        .map((x) => `${x.node.id}@${x.depth}`)
        .sort();
    expect(await near(a, { depth: 1 })).toEqual([`${b}@1`]);
    expect(await near(a, { depth: 2 })).toEqual([`${b}@1`, `${c}@2`].sort());
    expect(await near(a, { depth: 2, kind: 'relates_to' })).toEqual([`${b}@1`]);
    const back = await s.api.get(`/api/v1/nodes/${b}/backlinks`);
    expect(back.body.items.map((i: Hit) => i.node.id)).toEqual([a]);
    const twice = await s.api.post('/api/v1/graph/relationships', { from_node: a, to_node: b });
    failure(twice, 409, 'conflict');
    expect((await s.api.del(`/api/v1/graph/relationships/${bc.id}`)).status).toBe(204);
    failure(await s.api.get(`/api/v1/graph/relationships/${bc.id}`), 404, 'not_found');
    await s.api.del(`/api/v1/nodes/${b}`);
    failure(await s.api.get(`/api/v1/graph/relationships/${ab.id}`), 404, 'not_found');
    expect(await near(a, { depth: 2 })).toEqual([]);
  });
});

describe('search', () => {
  it('answers {results:[{node,score,match_source,snippet}]} with <mark> snippets, title above content', async () => {
    const inTitle = await createNode(s.api, { title: 'Zephyrine handbook', content: 'all about the wind' });
    const inContent = await createNode(s.api, {
      title: 'Weather',
      content: 'a long note about the weather where zephyrine appears once among many other words',
    });
    const results = await search({ q: 'zephyrine' });
    expect(results.map((r) => r.node.id)).toEqual([inTitle.id, inContent.id]);
    for (const r of results) {
      expect(Object.keys(r).sort()).toEqual(['match_source', 'node', 'score', 'snippet']);
      expect(r).toMatchObject({ match_source: 'fulltext', score: expect.any(Number) });
      expect(r.snippet.toLowerCase()).toContain('<mark>zephyrine</mark>');
    }
    expect(results[0]!.score).toBeGreaterThan(results[1]!.score);
    // natural language: one word that matches is enough
    expect(await found('zephyrine unobtainiumword')).toEqual(ids([inTitle, inContent]));
  });

  it('supports "phrases", prefix*, AND / OR / NOT', async () => {
    const texts = ['xylo yarrow quick brownish', 'xylo zinnia brownish quick', 'yarrow zinnia quantumly'];
    const [p, q, r] = (await createNodes(s.api, 3, (i) => ({ content: texts[i] }))).map((n) => n.id);
    expect(await found('"quick brownish"')).toEqual([p]);
    expect(await found('quantum*')).toEqual([r]);
    expect(await found('xylo AND yarrow')).toEqual([p]);
    expect(await found('xylo OR yarrow')).toEqual([p, q, r].sort());
    expect(await found('xylo NOT yarrow')).toEqual([q]);
  });

  it('applies namespace, kind and tag filters before the limit', async () => {
    await createNodes(s.api, 30, () => ({
      namespace: 'fruit-a',
      title: 'Kumquat',
      content: 'kumquat kumquat',
    }));
    const b = await createNodes(s.api, 3, () => ({
      namespace: 'fruit-b',
      kind: 'decision',
      tags: ['citrus'],
      content: 'one kumquat among other words here',
    }));
    const filters: Record<string, string>[] = [
      { namespace: 'fruit-b' },
      { kind: 'decision' },
      { tag: 'citrus' },
    ];
    for (const filter of filters) {
      const results = await search({ q: 'kumquat', limit: 5, ...filter });
      expect(ids(results.map((r) => r.node)), JSON.stringify(filter)).toEqual(ids(b));
    }
  });

  it('never answers a 5xx to broken query syntax', async () => {
    const queries = [
      '"unbalanced',
      'AND',
      'OR OR',
      'NOT x',
      'x NOT',
      '(((',
      ')',
      '*',
      '"',
      'a AND',
      'title:',
    ];
    queries.push(
      'NEAR(a b',
      '^x',
      '-x',
      'col:x',
      '""',
      '\\',
      "'",
      'AND OR NOT',
      ':',
      '*a*',
      'a AND (b OR',
      '',
      ' ',
    );
    for (const q of queries) {
      const res = await s.api.get(`/api/v1/search${qs({ q })}`);
      expect([200, 400], `${q} -> ${res.text}`).toContain(res.status);
      if (res.status === 400) expect(['validation_error', 'invalid_query']).toContain(errorOf(res).code);
    }
  });
});

describe('export and import', () => {
  it('exports JSON Lines and imports them into a fresh server, idempotently', async () => {
    const [x, y] = await createNodes(s.api, 2, () => ({ namespace: 'travel', tags: ['trip'] }));
    await relate(s.api, x!.id, y!.id);
    const res = await s.api.get('/api/v1/export?namespace=travel');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('application/x-ndjson');
    const lines = res.text
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.type)).toEqual(['header', 'node', 'node', 'relationship']);
    expect(lines[0]).toMatchObject({ format: 'helix-export', format_version: 1 });
    expect(ids(lines.slice(1, 3))).toEqual(ids([x!, y!]));
    const target = await startTestServer();
    try {
      const post = () =>
        target.api.request('POST', '/api/v1/import?namespace=moved', {
          body: res.text,
          headers: { 'content-type': 'application/x-ndjson' },
        });
      const first = await post();
      expect(first.status, first.text).toBe(200);
      expect(first.body).toMatchObject({
        imported: 2,
        skipped: 0,
        failed: 0,
        relationships: { imported: 1 },
      });
      const moved = (await target.api.get('/api/v1/nodes?namespace=moved')).body.items as ApiNode[];
      expect(ids(moved)).toEqual(ids([x!, y!]));
      for (const n of moved)
        expect(n).toMatchObject({ tags: ['trip'], content: [x, y].find((o) => o!.id === n.id)!.content });
      const again = await post();
      expect(again.body).toMatchObject({ imported: 0, updated: 0, skipped: 2, failed: 0 });
      expect(again.body.relationships).toMatchObject({ imported: 0, skipped: 1 });
    } finally {
      await target.close();
    }
  });
});

describe('errors and request ids', () => {
  it('answers bad input with a 4xx in the one error shape, naming the field', async () => {
    const headers = { 'content-type': 'application/json' };
    failure(
      await s.api.request('POST', '/api/v1/nodes', { body: '{"content": ', headers }),
      400,
      'validation_error',
    );
    const kind = await s.api.post('/api/v1/nodes', { content: 'x', kind: 'spaceship' });
    expect(failure(kind, 400, 'validation_error')).toMatch(/kind/);
    expect(
      failure(await s.api.post('/api/v1/nodes', { title: 'no content' }), 400, 'validation_error'),
    ).toMatch(/content/);
    failure(await node('01890000-0000-7000-8000-000000000000'), 404, 'not_found');
    expect(failure(await node('not-a-uuid'), 400, 'validation_error')).toMatch(/id/);
    failure(await s.api.get('/api/v1/nowhere'), 404, 'not_found');
  });

  it('keeps the error shape for URLs the router itself rejects (bad escapes, overlong ids)', async () => {
    failure(await node('%zz'), 400, 'validation_error');
    failure(await node('x'.repeat(300)), 400, 'validation_error');
  });

  it('echoes x-request-id when sent, mints one when not, and puts it in error bodies', async () => {
    const sent = await s.api.get('/api/v1/nodes/nope', { 'x-request-id': 'e2e-req-42' });
    expect(sent.headers.get('x-request-id')).toBe('e2e-req-42');
    expect(errorOf(sent).request_id).toBe('e2e-req-42');
    const minted = await s.api.get('/api/v1/nodes/nope');
    const id = minted.headers.get('x-request-id');
    expect(id).toMatch(/^[A-Za-z0-9._:-]{8,}$/);
    expect(errorOf(minted).request_id).toBe(id);
    expect((await s.api.get('/api/v1/health')).headers.get('x-request-id')).not.toBe(id);
  });
});

describe('system routes', () => {
  it('health and metrics', async () => {
    const h = await s.api.get('/api/v1/health');
    expect(h.status).toBe(200);
    expect(h.body).toMatchObject({
      status: 'ok',
      version: expect.any(String),
      uptime_secs: expect.any(Number),
    });
    expect(h.body.database.status).toBe('ok');
    await node((await createNode(s.api)).id);
    const m = await s.api.get('/metrics');
    expect(m.status).toBe(200);
    expect(m.text).toMatch(/helix_http_requests_total\{[^}]*route="\/api\/v1\/nodes"[^}]*\} \d+/);
    expect(m.text).toMatch(/helix_http_requests_total\{[^}]*route="\/api\/v1\/nodes\/:id"[^}]*\} \d+/);
  });

  it('OpenAPI 3 documents every route the server registered, and nothing else', async () => {
    const doc = (await s.api.get<OpenApiDoc>('/api/openapi.json')).body;
    expect(doc.openapi).toMatch(/^3\./);
    const key = (r: { method: string; path: string }) => `${r.method} ${r.path}`;
    // the WebSocket upgrade is not an HTTP operation OpenAPI can describe; the README documents it
    const undocumented = new Set(['GET /api/v1/ws']);
    const registered = (await coreRouteTable())
      .filter((r) => r.path.startsWith('/api/v1'))
      .map(key)
      .filter((k) => !undocumented.has(k));
    expect(registered.length).toBeGreaterThan(10);
    expect(documentedRoutes(doc).map(key).sort()).toEqual(registered.sort());
  });

  it('serves Swagger UI and its assets from the installed package, not a CDN', async () => {
    const page = await s.api.get('/api/docs');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.text).toContain('swagger-ui');
    expect(page.text).not.toMatch(/(src|href)="(https?:)?\/\//);
    const src = /<script src="([^"]*swagger-ui-bundle\.js)"/.exec(page.text)?.[1];
    const js = await fetch(new URL(src ?? 'missing', `${s.url}/api/docs/`));
    expect(js.status).toBe(200);
    const shipped = new URL(
      '../node_modules/@fastify/swagger-ui/static/swagger-ui-bundle.js',
      import.meta.url,
    );
    expect(await js.text()).toBe(readFileSync(shipped, 'utf8'));
  });
});

describe('limits and auth (other configurations)', () => {
  it('rolls versions over a window and refuses oversized content with 413 naming content', async () => {
    const flags = { 'knowledge.version_retention': 3, 'knowledge.max_content_bytes': 1000 };
    const t = await startTestServer({ flags });
    try {
      const n = await createNode(t.api, { content: 'v1' });
      for (let i = 2; i <= 6; i++) await t.api.put(`/api/v1/nodes/${n.id}`, { content: `v${i}` });
      const versions = (await t.api.get(`/api/v1/nodes/${n.id}/versions`)).body.items as ApiNode[];
      expect(versions.map((v) => v.version)).toEqual([6, 5, 4]);
      const big = await t.api.post('/api/v1/nodes', { content: 'x'.repeat(1001) });
      expect(failure(big, 413, 'payload_too_large')).toMatch(/content/);
      const wide = await t.api.put(`/api/v1/nodes/${n.id}`, { content: 'é'.repeat(501) }); // 1002 bytes
      expect(failure(wide, 413, 'payload_too_large')).toMatch(/content/);
      expect((await t.api.post('/api/v1/nodes', { content: 'x'.repeat(1000) })).status).toBe(201);
    } finally {
      await t.close();
    }
  });

  it('with auth on: no or wrong token is 401, the right token passes, health stays public', async () => {
    const t = await startTestServer({ flags: { 'auth.enabled': true, 'auth.token': 'secret-token-123' } });
    try {
      const none = await t.api.get('/api/v1/nodes');
      failure(none, 401, 'unauthenticated');
      failure(
        await t.api.get('/api/v1/nodes', { authorization: 'Bearer wrong-token' }),
        401,
        'unauthenticated',
      );
      failure(await t.api.post('/api/v1/nodes', { content: 'x' }), 401, 'unauthenticated');
      const ok = await t.api.get('/api/v1/nodes', { authorization: 'Bearer secret-token-123' });
      expect(ok.status).toBe(200);
      expect((await t.api.get('/api/v1/health')).status).toBe(200);
    } finally {
      await t.close();
    }
  });
});
