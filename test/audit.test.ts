import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The audit trail over real sockets: writes, denials and auth failures become rows; reads do not;
 * only admins may read it; and no token ever lands in any column.
 */
const SECRET = 'audit-jwt-secret-0123456789abcdef';
const TOKEN = 'audit-shared-admin-token-456';
const WRONG = 'wrong-token-zzz-987654321';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const jwt = (sub: string, role: string, namespace: string) =>
  new SignJWT({ role, namespace })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(new TextEncoder().encode(SECRET));

describe('audit trail', () => {
  let s: TestServer;
  let writer: string;
  let reader: string;
  const admin = bearer(TOKEN);
  const rows = () => s.running.app.ctx.db.prepare('SELECT * FROM audit_log ORDER BY seq').all() as Json[];
  // the row is written once the response has gone out, so wait for it rather than race it
  const rowFor = (requestId: string | null) =>
    vi.waitFor(() => {
      const row = rows().find((r) => r.request_id === requestId);
      if (!row) throw new Error(`no audit row for ${requestId}`);
      return row;
    });
  const query = (qs: string) => s.api.get(`/api/v1/audit/query${qs}`, admin);

  beforeAll(async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.requests': 1000,
      },
    });
    writer = await jwt('alice', 'write', 'work');
    reader = await jwt('rita', 'read', 'work');
  });
  afterAll(async () => {
    await s?.close();
  });

  it('records a write with actor, action, target, namespace, outcome and the response request id', async () => {
    const made = await s.api.post('/api/v1/nodes', { content: 'hello', namespace: 'work' }, bearer(writer));
    expect(made.status).toBe(201);
    const row = await rowFor(made.headers.get('x-request-id'));
    expect(row).toMatchObject({
      actor: 'alice',
      actor_via: 'jwt',
      role: 'write',
      action: 'POST /api/v1/nodes',
      target: null,
      namespace: 'work',
      outcome: 'success',
      status: 201,
    });
    expect(row.id).toMatch(/^[0-9a-f-]{36}$/);
    const put = await s.api.put(`/api/v1/nodes/${made.body.id}`, { title: 't' }, bearer(writer));
    expect(put.status).toBe(200);
    const updated = await rowFor(put.headers.get('x-request-id'));
    expect(updated).toMatchObject({
      action: 'PUT /api/v1/nodes/:id',
      target: made.body.id,
      namespace: 'work',
    });
    expect(JSON.stringify(rows())).not.toContain('hello');
  });

  it('records a wrong token as an anonymous auth failure with no token text in any column', async () => {
    const res = await s.api.post('/api/v1/nodes?api_key=querysecret', { content: 'x' }, bearer(WRONG));
    expect(res.status).toBe(401);
    const row = await rowFor(res.headers.get('x-request-id'));
    expect(row).toMatchObject({
      actor: 'anonymous',
      action: 'auth.failure',
      outcome: 'failure',
      status: 401,
    });
    expect(row.ip).toMatch(/127\.0\.0\.1/);
    for (const r of rows()) {
      for (const value of Object.values(r)) {
        for (const secret of [WRONG, TOKEN, SECRET, writer, reader, 'querysecret']) {
          expect(String(value)).not.toContain(secret);
        }
      }
    }
  });

  it("records a read principal's write as denied and does not record GETs", async () => {
    const before = rows().length;
    const listed = await s.api.get('/api/v1/nodes?namespace=work', bearer(writer));
    expect(listed.status).toBe(200);
    const denied = await s.api.post('/api/v1/nodes', { content: 'x', namespace: 'work' }, bearer(reader));
    expect(denied.status).toBe(403);
    const row = await rowFor(denied.headers.get('x-request-id'));
    expect(row).toMatchObject({ actor: 'rita', role: 'read', outcome: 'denied', status: 403 });
    expect(rows().find((r) => r.request_id === listed.headers.get('x-request-id'))).toBeUndefined();
    expect(rows().length).toBe(before + 1);
  });

  it('answers 403 to a non-admin on the audit routes and 401 without credentials', async () => {
    expect((await s.api.get('/api/v1/audit/query', bearer(writer))).status).toBe(403);
    expect((await s.api.get('/api/v1/audit', bearer(reader))).status).toBe(403);
    expect((await s.api.get('/api/v1/audit/query')).status).toBe(401);
  });

  it('filters by actor, action, target, outcome and time range, and pages', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await s.api.post('/api/v1/nodes', { content: `n${i}`, namespace: 'work' }, bearer(writer));
      await rowFor(r.headers.get('x-request-id'));
    }
    const alice = await query('?actor=alice&limit=100');
    expect(alice.status).toBe(200);
    expect(alice.body.items.length).toBeGreaterThanOrEqual(5);
    expect(alice.body.items.every((r: Json) => r.actor === 'alice')).toBe(true);
    const failures = (await query('?action=auth.failure')).body.items;
    expect(failures.length).toBeGreaterThanOrEqual(1);
    expect(failures.every((r: Json) => r.actor === 'anonymous')).toBe(true);
    expect((await query('?outcome=denied')).body.items.map((r: Json) => r.actor)).toContain('rita');
    const target = rows().find((r) => r.target)!.target as string;
    expect((await query(`?target=${target}`)).body.items.every((r: Json) => r.target === target)).toBe(true);
    expect((await query('?until=2000-01-01T00:00:00Z')).body.items).toEqual([]);
    const since = (await query('?since=2000-01-01T00:00:00Z&limit=1000')).body.items;
    expect(since.length).toBe(rows().length);
    expect((await query('?since=yesterday')).status).toBe(400);
    expect((await query('?password=x')).status).toBe(400);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: Json = await s.api.get(`/api/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`, admin);
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((r: Json) => r.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(since.length);
  });
});
