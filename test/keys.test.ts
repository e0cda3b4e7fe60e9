import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { credentials, loadPackageDefinition, Metadata, status } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * API keys, permission templates, consumers and access keys over real sockets: secrets shown
 * once and stored hashed, revocation and expiry, last_used_at, and attribute-based scope
 * (namespace + tags + kinds + actions) on every REST read and write.
 */
const TOKEN = 'keys-test-admin-token-0123456789';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const admin = bearer(TOKEN);
const PROTO = fileURLToPath(new URL('../proto/helix/v1/helix.proto', import.meta.url));
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('API keys, templates, consumers and access keys', () => {
  let s: TestServer;
  const db = () => s.running.app.ctx.db;
  const post = (path: string, body: unknown, auth = admin) => s.api.post(path, body, auth);
  const node = async (body: Record<string, unknown>) => {
    const res = await post('/api/v1/nodes', { kind: 'fact', ...body });
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };
  const apiKey = async (body: Record<string, unknown>) => {
    const res = await post('/api/v1/keys', { name: 'k', ...body });
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };
  const template = async (body: Record<string, unknown>) => {
    const res = await post('/api/v1/permission-templates', { name: `t-${Math.random()}`, ...body });
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };
  const accessKey = async (body: Record<string, unknown>) => {
    const res = await post('/api/v1/access-keys', { name: 'ak', ...body });
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };

  beforeAll(async () => {
    s = await startTestServer({
      flags: { 'auth.enabled': true, 'auth.token': TOKEN, 'rate_limit.requests': 100_000 },
    });
  });
  afterAll(async () => {
    await s?.close();
  });

  it('shows an API key once, stores only its SHA-256, and lists keys without secrets', async () => {
    const created = await apiKey({ name: 'reader', role: 'read', namespaces: ['work'] });
    expect(created.key).toMatch(/^hx_key_[A-Za-z0-9_-]{43}$/);
    expect(created.key.startsWith(created.prefix)).toBe(true);
    expect(created).not.toHaveProperty('key_hash');
    const list = await s.api.get('/api/v1/keys', admin);
    expect(list.status).toBe(200);
    const listed = list.body.items.find((k: Json) => k.id === created.id);
    expect(listed).toMatchObject({ name: 'reader', role: 'read', namespaces: ['work'], revoked_at: null });
    expect(list.text).not.toContain(created.key);
    expect(list.text).not.toMatch(/key_hash|hx_key_[A-Za-z0-9_-]{43}/);
    const one = await s.api.get(`/api/v1/keys/${created.id}`, admin);
    expect(one.body).not.toHaveProperty('key');
    // the database holds the hash, never the key: grep the raw files (main db and WAL)
    const row = db().prepare('SELECT key_hash FROM api_keys WHERE id = ?').get(created.id) as Json;
    expect(row.key_hash).toBe(sha256(created.key));
    db().pragma('wal_checkpoint(PASSIVE)');
    const home = s.running.app.ctx.paths.sqlitePath;
    for (const file of [home, `${home}-wal`]) {
      let bytes = '';
      try {
        bytes = readFileSync(file).toString('latin1');
      } catch {
        continue;
      }
      expect(bytes).not.toContain(created.key);
      expect(bytes).not.toContain(created.key.slice(created.prefix.length));
    }
  });

  it('authenticates with an API key by role and namespace, and tracks last_used_at (throttled)', async () => {
    const w = await apiKey({ role: 'write', namespaces: ['work'] });
    const r = await apiKey({ role: 'read', namespaces: ['work'] });
    const made = await post('/api/v1/nodes', { content: 'written with a key' }, bearer(w.key));
    expect(made.status, made.text).toBe(201);
    expect(made.body.namespace).toBe('work'); // the key's only namespace is the default
    expect((await post('/api/v1/nodes', { content: 'x', namespace: 'other' }, bearer(w.key))).status).toBe(
      403,
    );
    expect((await s.api.get(`/api/v1/nodes/${made.body.id}`, bearer(r.key))).status).toBe(200);
    expect((await post('/api/v1/nodes', { content: 'x' }, bearer(r.key))).status).toBe(403);
    const first = (await s.api.get(`/api/v1/keys/${r.id}`, admin)).body.last_used_at;
    expect(first).not.toBeNull();
    expect(Date.now() - Date.parse(first)).toBeLessThan(60_000);
    // within a minute the row is not rewritten on every request
    await s.api.get('/api/v1/nodes', bearer(r.key));
    expect((await s.api.get(`/api/v1/keys/${r.id}`, admin)).body.last_used_at).toBe(first);
    // an hour-old stamp is refreshed by the next use
    db().prepare('UPDATE api_keys SET last_used_at = ? WHERE id = ?').run('2020-01-01T00:00:00.000Z', r.id);
    await s.api.get('/api/v1/nodes', bearer(r.key));
    expect((await s.api.get(`/api/v1/keys/${r.id}`, admin)).body.last_used_at).not.toBe(
      '2020-01-01T00:00:00.000Z',
    );
  });

  it('refuses revoked, expired, unknown and tampered keys with 401', async () => {
    const k = await apiKey({ role: 'read', namespaces: ['*'] });
    expect((await s.api.get('/api/v1/nodes', bearer(k.key))).status).toBe(200);
    const tampered = `${k.key.slice(0, -1)}${k.key.endsWith('A') ? 'B' : 'A'}`;
    expect((await s.api.get('/api/v1/nodes', bearer(tampered))).status).toBe(401);
    expect((await s.api.get('/api/v1/nodes', bearer(`hx_key_${'x'.repeat(43)}`))).status).toBe(401);
    expect((await s.api.del(`/api/v1/keys/${k.id}`, admin)).status).toBe(204);
    const revoked = await s.api.get('/api/v1/nodes', bearer(k.key));
    expect(revoked.status).toBe(401);
    expect(revoked.body.error.message).toMatch(/revoked/);
    expect(revoked.text).not.toContain(k.key);
    expect((await s.api.get(`/api/v1/keys/${k.id}`, admin)).body.revoked_at).not.toBeNull();

    const e = await apiKey({
      role: 'read',
      namespaces: ['*'],
      expires_at: new Date(Date.now() + 3_600_000).toISOString(),
    });
    expect((await s.api.get('/api/v1/nodes', bearer(e.key))).status).toBe(200);
    db()
      .prepare('UPDATE api_keys SET expires_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), e.id);
    const expired = await s.api.get('/api/v1/nodes', bearer(e.key));
    expect(expired.status).toBe(401);
    expect(expired.body.error.message).toMatch(/expired/);
    const past = await post('/api/v1/keys', {
      name: 'p',
      namespaces: ['*'],
      expires_at: '2020-01-01T00:00:00Z',
    });
    expect(past.status).toBe(400);
    expect(past.body.error.message).toMatch(/expires_at/);
  });

  it('lets only an unscoped admin manage keys, templates, consumers and clients', async () => {
    const writer = await apiKey({ role: 'write', namespaces: ['*'] });
    const nsAdmin = await apiKey({ role: 'admin', namespaces: ['work'] });
    const t = await template({ tier: 'admin', scope_namespace: '*', scope_tags: ['x'] });
    const scopedAdmin = await accessKey({ template_id: t.id });
    for (const who of [writer.key, nsAdmin.key, scopedAdmin.key]) {
      expect(
        (await post('/api/v1/keys', { name: 'n', namespaces: ['*'], role: 'admin' }, bearer(who))).status,
      ).toBe(403);
      expect((await s.api.get('/api/v1/keys', bearer(who))).status).toBe(403);
      expect(
        (
          await post(
            '/api/v1/permission-templates',
            { name: 'z', tier: 'admin', scope_namespace: '*' },
            bearer(who),
          )
        ).status,
      ).toBe(403);
      expect((await post('/api/v1/access-keys', { name: 'n', template_id: t.id }, bearer(who))).status).toBe(
        403,
      );
      expect((await post('/api/v1/oauth/clients', { name: 'c', namespace: '*' }, bearer(who))).status).toBe(
        403,
      );
      expect((await s.api.get('/api/v1/consumers', bearer(who))).status).toBe(403);
    }
  });

  describe('a key scoped to namespace work, tags [project-x], kinds [task]', () => {
    const ids: Record<string, string> = {};
    let key: string;
    let keyId: string;
    let templateId: string;
    let consumerId: string;
    const as = () => bearer(key);

    beforeAll(async () => {
      // A is the only node in scope; B has the wrong tag, C the wrong kind, D the wrong namespace
      ids.A = (
        await node({ kind: 'task', namespace: 'work', tags: ['Project-X'], content: 'zebra alpha in scope' })
      ).id;
      ids.B = (
        await node({ kind: 'task', namespace: 'work', tags: ['other'], content: 'zebra bravo wrong tag' })
      ).id;
      ids.C = (
        await node({
          kind: 'fact',
          namespace: 'work',
          tags: ['project-x'],
          content: 'zebra charlie wrong kind',
        })
      ).id;
      ids.D = (
        await node({
          kind: 'task',
          namespace: 'home',
          tags: ['project-x'],
          content: 'zebra delta wrong namespace',
        })
      ).id;
      for (const to of ['B', 'C', 'D']) {
        const rel = await post('/api/v1/graph/relationships', {
          from_node: ids.A,
          to_node: ids[to],
          kind: 'relates_to',
        });
        expect(rel.status, rel.text).toBe(201);
      }
      const upd = await s.api.put(
        `/api/v1/nodes/${ids.B}`,
        { content: 'zebra bravo wrong tag, edited' },
        admin,
      );
      expect(upd.status).toBe(200);
      const t = await template({
        name: 'project-x tasks',
        tier: 'edit',
        scope_namespace: 'work',
        scope_tags: ['project-x'],
        allow_kinds: ['task'],
      });
      templateId = t.id;
      expect(t).toMatchObject({
        tier: 'edit',
        scope_namespace: 'work',
        scope_tags: ['project-x'],
        allow_kinds: ['task'],
        allow_actions: [],
      });
      const consumer = await post('/api/v1/consumers', { name: 'planner-bot', contact: 'ops@example.com' });
      expect(consumer.status, consumer.text).toBe(201);
      consumerId = consumer.body.id;
      const ak = await accessKey({ name: 'planner', template_id: t.id, consumer_id: consumerId });
      expect(ak.key).toMatch(/^hx_ak_[A-Za-z0-9_-]{43}$/);
      key = ak.key;
      keyId = ak.id;
    });

    it('says who it is', async () => {
      const me = await s.api.get('/api/v1/consumers/whoami', as());
      expect(me.status).toBe(200);
      expect(me.body).toMatchObject({
        id: keyId,
        via: 'access_key',
        role: 'write',
        namespaces: ['work'],
        scope: { tier: 'edit', tags: ['project-x'], kinds: ['task'] },
        consumer: { id: consumerId, name: 'planner-bot' },
        key: { id: keyId, name: 'planner' },
      });
      expect(me.text).not.toContain(key);
      const token = await s.api.get('/api/v1/consumers/whoami', admin);
      expect(token.body).toMatchObject({ via: 'token', role: 'admin', scope: null, consumer: null });
      const profile = await s.api.get(`/api/v1/consumers/${consumerId}`, admin);
      expect(profile.body.access_keys.map((k: Json) => k.id)).toEqual([keyId]);
    });

    it('gets, lists, searches and recalls exactly its nodes', async () => {
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, as())).status).toBe(200);
      for (const hidden of ['B', 'C', 'D']) {
        const res = await s.api.get(`/api/v1/nodes/${ids[hidden]}`, as());
        expect(res.status, hidden).toBe(404);
        expect((await s.api.get(`/api/v1/nodes/${ids[hidden]}/versions`, as())).status).toBe(404);
        expect((await s.api.get(`/api/v1/graph/neighbors/${ids[hidden]}`, as())).status).toBe(404);
        expect((await s.api.get(`/api/v1/nodes/${ids[hidden]}/backlinks`, as())).status).toBe(404);
      }
      const list = await s.api.get('/api/v1/nodes?limit=1', as());
      expect(list.body.items.map((n: Json) => n.id)).toEqual([ids.A]);
      expect(list.body.next_cursor).toBeNull();
      expect((await s.api.get('/api/v1/nodes?namespace=home', as())).status).toBe(404);
      const search = await s.api.get('/api/v1/search?q=zebra&limit=1', as());
      expect(search.status).toBe(200);
      expect(search.body.results.map((r: Json) => r.node.id)).toEqual([ids.A]);
      for (const strategy of ['fulltext', 'hybrid', 'graph', 'vector']) {
        const recall = await post(
          '/api/v1/recall',
          { text: 'zebra', strategy, limit: 1, min_score: 0 },
          as(),
        );
        expect(recall.status, recall.text).toBe(200);
        for (const r of recall.body.results) expect(r.node.id, strategy).toBe(ids.A);
      }
      const all = await post('/api/v1/recall', { text: 'zebra', strategy: 'hybrid', min_score: 0 }, as());
      expect(all.body.results.map((r: Json) => r.node.id)).toEqual([ids.A]);
    });

    it('sees no out-of-scope neighbor, path, version or exported line', async () => {
      const nb = await s.api.get(`/api/v1/graph/neighbors/${ids.A}?depth=2`, as());
      expect(nb.status).toBe(200);
      expect(nb.body.neighbors).toEqual([]);
      const adminNb = await s.api.get(`/api/v1/graph/neighbors/${ids.A}`, admin);
      expect(adminNb.body.neighbors).toHaveLength(3);
      expect((await s.api.get(`/api/v1/graph/path?from=${ids.A}&to=${ids.B}`, as())).status).toBe(404);
      expect((await s.api.get(`/api/v1/nodes/${ids.A}/versions`, as())).status).toBe(200);
      const exported = await s.api.get('/api/v1/export', as());
      expect(exported.status).toBe(200);
      const lines = exported.text
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Json);
      expect(lines.filter((l) => l.type === 'node').map((l) => l.id)).toEqual([ids.A]);
      expect(lines.filter((l) => l.type === 'relationship')).toEqual([]);
      expect(exported.text).not.toMatch(/bravo|charlie|delta/);
      // stats are admin-only; this key is tier edit (role write)
      expect((await s.api.get('/api/v1/stats', as())).status).toBe(403);
    });

    it('gets the same scope over gRPC (one authenticator for every surface)', async () => {
      const def = loadSync(PROTO, { keepCase: true, longs: Number, enums: String, defaults: false });
      const pkg = loadPackageDefinition(def) as Json;
      const client = new pkg.helix.v1.Helix(`127.0.0.1:${s.running.grpcPort}`, credentials.createInsecure());
      const call = (method: string, req: Json) =>
        new Promise<Json>((resolve, reject) => {
          const md = new Metadata();
          md.set('authorization', `Bearer ${key}`);
          client[method](req, md, (err: Json, res: Json) => (err ? reject(err) : resolve(res)));
        });
      const code = (p: Promise<unknown>) =>
        p.then(
          () => 'ok',
          (e: Json) => e.code as number,
        );
      try {
        expect((await call('GetNode', { id: ids.A })).id).toBe(ids.A);
        for (const hidden of ['B', 'C', 'D'])
          expect(await code(call('GetNode', { id: ids[hidden] }))).toBe(status.NOT_FOUND);
        expect((await call('ListNodes', { limit: 1 })).items.map((n: Json) => n.id)).toEqual([ids.A]);
        expect((await call('Search', { q: 'zebra', limit: 1 })).results.map((r: Json) => r.node.id)).toEqual([
          ids.A,
        ]);
        expect(await code(call('CreateNode', { kind: 'fact', content: 'no', tags: ['project-x'] }))).toBe(
          status.PERMISSION_DENIED,
        );
      } finally {
        client.close();
      }
    });

    it('writes only nodes inside its kinds and tags, in its namespace', async () => {
      const ok = await post(
        '/api/v1/nodes',
        { kind: 'task', tags: ['project-x'], content: 'zebra new task' },
        as(),
      );
      expect(ok.status, ok.text).toBe(201);
      expect(ok.body.namespace).toBe('work');
      const wrongKind = await post(
        '/api/v1/nodes',
        { kind: 'fact', tags: ['project-x'], content: 'no' },
        as(),
      );
      expect(wrongKind.status).toBe(403);
      expect(wrongKind.body.error.details).toMatchObject({ allow_kinds: ['task'] });
      const noTag = await post('/api/v1/nodes', { kind: 'task', content: 'no' }, as());
      expect(noTag.status).toBe(403);
      expect(noTag.body.error.details).toMatchObject({ scope_tags: ['project-x'] });
      expect(
        (
          await post(
            '/api/v1/nodes',
            { kind: 'task', tags: ['project-x'], namespace: 'home', content: 'no' },
            as(),
          )
        ).status,
      ).toBe(403);
      // an update may not carry the node out of scope
      expect((await s.api.put(`/api/v1/nodes/${ok.body.id}`, { kind: 'fact' }, as())).status).toBe(403);
      expect((await s.api.put(`/api/v1/nodes/${ok.body.id}`, { tags: ['other'] }, as())).status).toBe(403);
      expect((await s.api.put(`/api/v1/nodes/${ok.body.id}`, { content: 'zebra edited' }, as())).status).toBe(
        200,
      );
      expect((await s.api.put(`/api/v1/nodes/${ids.B}`, { content: 'hijack' }, as())).status).toBe(404);
      expect((await s.api.del(`/api/v1/nodes/${ids.C}`, as())).status).toBe(404);
      const rel = await post(
        '/api/v1/graph/relationships',
        { from_node: ok.body.id, to_node: ids.B, kind: 'relates_to' },
        as(),
      );
      expect(rel.status).toBe(404);
      // importing arbitrary kinds and tags is refused to a scoped key
      const imp = await s.api.request('POST', '/api/v1/import', {
        body: '{"type":"header","format":"helix-export","format_version":1}\n',
        headers: { ...as(), 'content-type': 'application/x-ndjson' },
      });
      expect(imp.status).toBe(403);
      expect((await s.api.del(`/api/v1/nodes/${ok.body.id}`, as())).status).toBe(204);
    });

    it('follows its template: allow_actions, later edits, and a template in use cannot be deleted', async () => {
      const searchOnly = await template({
        tier: 'action',
        scope_namespace: 'work',
        allow_actions: ['search'],
      });
      const so = await accessKey({ template_id: searchOnly.id });
      expect((await s.api.get('/api/v1/search?q=zebra', bearer(so.key))).status).toBe(200);
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, bearer(so.key))).status).toBe(403);
      const del = await s.api.del(`/api/v1/nodes/${ids.B}`, bearer(so.key));
      expect(del.status).toBe(403);
      expect(del.body.error.details).toMatchObject({ operation: 'delete' });
      expect((await post('/api/v1/recall', { text: 'zebra' }, bearer(so.key))).status).toBe(403);
      // a changed template applies to its keys at their next request
      const put = await s.api.put(
        `/api/v1/permission-templates/${templateId}`,
        { scope_tags: ['other'] },
        admin,
      );
      expect(put.status, put.text).toBe(200);
      const seen = await s.api.get('/api/v1/nodes', as());
      expect(seen.body.items.map((n: Json) => n.id)).toEqual([ids.B]);
      await s.api.put(`/api/v1/permission-templates/${templateId}`, { scope_tags: ['project-x'] }, admin);
      const inUse = await s.api.del(`/api/v1/permission-templates/${templateId}`, admin);
      expect(inUse.status).toBe(409);
      const dup = await post('/api/v1/permission-templates', {
        name: 'project-x tasks',
        tier: 'view',
        scope_namespace: 'work',
      });
      expect(dup.status).toBe(409);
      const bad = await post('/api/v1/permission-templates', {
        name: 'bad',
        tier: 'root',
        scope_namespace: 'work',
      });
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toMatch(/tier/);
    });

    it('a view-tier key reads but cannot write; a revoked or orphaned access key is refused', async () => {
      const view = await template({
        tier: 'view',
        scope_namespace: 'work',
        scope_tags: ['project-x'],
        allow_kinds: ['task'],
      });
      const vk = await accessKey({ template_id: view.id });
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, bearer(vk.key))).status).toBe(200);
      expect(
        (await post('/api/v1/nodes', { kind: 'task', tags: ['project-x'], content: 'x' }, bearer(vk.key)))
          .status,
      ).toBe(403);
      expect((await s.api.del(`/api/v1/access-keys/${vk.id}`, admin)).status).toBe(204);
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, bearer(vk.key))).status).toBe(401);
      const listed = await s.api.get('/api/v1/access-keys', admin);
      expect(listed.body.items.find((k: Json) => k.id === vk.id).revoked_at).not.toBeNull();
      expect(listed.text).not.toMatch(/hx_ak_[A-Za-z0-9_-]{43}/);
      // deleting the consumer deletes its keys
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, as())).status).toBe(200);
      expect((await s.api.del(`/api/v1/consumers/${consumerId}`, admin)).status).toBe(204);
      expect((await s.api.get(`/api/v1/nodes/${ids.A}`, as())).status).toBe(401);
    });
  });

  it('keeps a namespace-A key out of namespace B everywhere', async () => {
    const b1 = await node({ namespace: 'ns-b', content: 'quokka secret of b', tags: ['bee'] });
    const b2 = await node({ namespace: 'ns-b', content: 'quokka second of b' });
    const a1 = await node({ namespace: 'ns-a', content: 'quokka visible in a' });
    await post('/api/v1/graph/relationships', { from_node: a1.id, to_node: b1.id, kind: 'references' });
    await post('/api/v1/graph/relationships', { from_node: b2.id, to_node: a1.id, kind: 'references' });
    const k = bearer((await apiKey({ role: 'write', namespaces: ['ns-a'] })).key);
    expect((await s.api.get(`/api/v1/nodes/${b1.id}`, k)).status).toBe(404);
    expect((await s.api.get(`/api/v1/nodes/${b1.id}/versions`, k)).status).toBe(404);
    expect((await s.api.get('/api/v1/nodes?namespace=ns-b', k)).status).toBe(404);
    const list = await s.api.get('/api/v1/nodes', k);
    expect(list.body.items.map((n: Json) => n.id)).toEqual([a1.id]);
    expect((await s.api.get('/api/v1/search?q=quokka&namespace=ns-b', k)).status).toBe(404);
    const search = await s.api.get('/api/v1/search?q=quokka', k);
    expect(search.body.results.map((r: Json) => r.node.id)).toEqual([a1.id]);
    expect((await post('/api/v1/recall', { text: 'quokka', namespace: 'ns-b' }, k)).status).toBe(404);
    const recall = await post('/api/v1/recall', { text: 'quokka', min_score: 0 }, k);
    expect(recall.body.results.map((r: Json) => r.node.id)).toEqual([a1.id]);
    const nb = await s.api.get(`/api/v1/graph/neighbors/${a1.id}`, k);
    expect(nb.body.neighbors).toEqual([]);
    const back = await s.api.get(`/api/v1/nodes/${a1.id}/backlinks`, k);
    expect(back.body.items).toEqual([]);
    expect((await s.api.get('/api/v1/export?namespace=ns-b', k)).status).toBe(404);
    const exported = await s.api.get('/api/v1/export', k);
    expect(exported.text).not.toContain('quokka secret');
    expect(exported.text).not.toContain(b1.id);
    expect((await s.api.put(`/api/v1/nodes/${b1.id}`, { content: 'x' }, k)).status).toBe(404);
    expect((await s.api.del(`/api/v1/nodes/${b1.id}`, k)).status).toBe(404);
    expect((await post('/api/v1/shares', { node_id: b1.id }, k)).status).toBe(404);
  });

  it('limits stats to what a namespace-scoped admin can see', async () => {
    const k = bearer((await apiKey({ role: 'admin', namespaces: ['ns-a'] })).key);
    const stats = await s.api.get('/api/v1/stats', k);
    expect(stats.status).toBe(200);
    expect(Object.keys(stats.body.by_namespace)).toEqual(['ns-a']);
    expect(stats.body.nodes).toBe(1);
    const full = await s.api.get('/api/v1/stats', admin);
    expect(full.body.nodes).toBeGreaterThan(stats.body.nodes);
  });
});
