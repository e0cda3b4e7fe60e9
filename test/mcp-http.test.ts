import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './support/http.js';
import { call, callError, httpClient, stdioClient } from './support/mcp.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * MCP over Streamable HTTP at /mcp behind the REST pipeline, and access-key scope on both MCP
 * surfaces: a key for namespace alpha sees nothing of beta through any tool, resource or prompt;
 * an edit-tier key's writes become proposals; a view-tier key with a tag limit sees only its tag.
 */
const TOKEN = 'mcp-http-admin-token-0123456789ab';
const admin = { authorization: `Bearer ${TOKEN}` };

describe('MCP over HTTP and access-key scope', () => {
  let s: TestServer;
  const keys: Record<string, string> = {};
  const ids: Record<string, string> = {};
  const clients: Client[] = [];
  const connect = async (key: string) => {
    const c = await httpClient(s.url, key);
    clients.push(c);
    return c;
  };
  const node = async (body: Record<string, unknown>) => {
    const res = await s.api.post('/api/v1/nodes', { kind: 'fact', ...body }, admin);
    expect(res.status, res.text).toBe(201);
    return res.body.id as string;
  };
  const accessKey = async (template: Record<string, unknown>) => {
    const t = await s.api.post(
      '/api/v1/permission-templates',
      { name: `t-${Math.random()}`, ...template },
      admin,
    );
    expect(t.status, t.text).toBe(201);
    const k = await s.api.post('/api/v1/access-keys', { name: 'agent', template_id: t.body.id }, admin);
    expect(k.status, k.text).toBe(201);
    return k.body.key as string;
  };

  beforeAll(async () => {
    s = await startTestServer({
      flags: { 'auth.enabled': true, 'auth.token': TOKEN, 'rate_limit.requests': 100_000 },
    });
    ids.alpha = await node({
      namespace: 'alpha',
      title: 'Alpha plan',
      content: 'the zeppelin plan for alpha',
      tags: ['project-x'],
    });
    ids.alpha2 = await node({
      namespace: 'alpha',
      title: 'Alpha misc',
      content: 'zeppelin notes without the tag',
      tags: ['misc'],
    });
    ids.beta = await node({
      namespace: 'beta',
      title: 'Beta secret plan',
      content: 'the zeppelin plan for beta',
      tags: ['beta-only'],
      source: 'obsidian://beta.md',
    });
    const rel = await s.api.post(
      '/api/v1/graph/relationships',
      { from_node: ids.alpha, to_node: ids.beta, kind: 'references' },
      admin,
    );
    expect(rel.status, rel.text).toBe(201);
    keys.action = await accessKey({ tier: 'action', scope_namespace: 'alpha' });
    keys.edit = await accessKey({ tier: 'edit', scope_namespace: 'alpha' });
    keys.view = await accessKey({ tier: 'view', scope_namespace: 'alpha', scope_tags: ['project-x'] });
    keys.searchOnly = await accessKey({
      tier: 'action',
      scope_namespace: 'alpha',
      allow_actions: ['search'],
    });
  }, 60_000);

  afterAll(async () => {
    for (const c of clients) await c.close().catch(() => {});
    await s?.close();
  });

  it('needs credentials like every route, then serves the SDK client', async () => {
    const res = await fetch(`${s.url}/mcp`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json, text/event-stream' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'tools/list' }),
    });
    expect(res.status).toBe(401);
    const owner = await httpClient(s.url, TOKEN);
    clients.push(owner);
    expect((await owner.listTools()).tools).toHaveLength(14);
    const found = await call(owner, 'helix_search', { query: 'zeppelin' });
    expect(found.data.items).toHaveLength(3);
  });

  const expectNoBeta = (value: unknown) => {
    const text = JSON.stringify(value);
    expect(text).not.toContain(ids.beta);
    expect(text).not.toMatch(/Beta secret|beta-only/);
  };

  const scopeChecks = async (c: Client) => {
    for (const [tool, args] of [
      ['helix_search', { query: 'zeppelin' }],
      ['helix_recall', { query: 'zeppelin plan' }],
      ['helix_list_nodes', {}],
      ['helix_list_recent', {}],
      ['helix_search_vault', { query: 'zeppelin' }],
      ['helix_neighbors', { id: ids.alpha }],
      ['helix_get_node', { id: ids.alpha }],
    ] as const) {
      const r = await call(c, tool, args);
      expectNoBeta(r.raw);
    }
    expect((await callError(c, 'helix_get_node', { id: ids.beta })).error?.code).toBe('not_found');
    expect((await callError(c, 'helix_neighbors', { id: ids.beta })).error?.code).toBe('not_found');
    expect((await callError(c, 'helix_search', { query: 'zeppelin', namespace: 'beta' })).error?.code).toBe(
      'not_found',
    );
    expect((await callError(c, 'helix_list_nodes', { namespace: 'beta' })).error?.code).toBe('not_found');
    expect(
      (await callError(c, 'helix_propose_tag', { target_node_id: ids.beta, tag: 'x' })).error?.code,
    ).toBe('not_found');
    expect((await callError(c, 'helix_update_node', { id: ids.beta, title: 'x' })).error?.code).toBe(
      'not_found',
    );
    expect((await callError(c, 'helix_delete_node', { id: ids.beta })).error?.code).toBe('not_found');
    await expect(c.readResource({ uri: `helix://node/${ids.beta}` })).rejects.toThrow(/not found/);
    expectNoBeta(await c.readResource({ uri: `helix://node/${ids.alpha}` }));
    expectNoBeta(await c.readResource({ uri: 'helix://recent' }));
    expectNoBeta(await c.readResource({ uri: 'helix://tags' }));
    expectNoBeta(await c.listResources());
    expectNoBeta(await c.getPrompt({ name: 'summarize_topic', arguments: { topic: 'zeppelin plan' } }));
    expectNoBeta(await c.getPrompt({ name: 'daily_review', arguments: {} }));
  };

  it('a key for namespace alpha cannot see beta through any tool, resource or prompt (HTTP)', async () => {
    const c = await connect(keys.action!);
    await scopeChecks(c);
    const stored = await call(c, 'helix_store', { content: 'written by the action key', namespace: 'alpha' });
    expect(stored.data.written).toBe(true);
    expect((await callError(c, 'helix_store', { content: 'x', namespace: 'beta' })).error?.code).toBe(
      'forbidden',
    );
  });

  it('the same key over stdio (hx mcp --access-key) has exactly the same scope', async () => {
    const mcp = await stdioClient(s.home, ['--access-key', keys.action!]);
    try {
      await scopeChecks(mcp.client);
    } finally {
      await mcp.client.close();
    }
    const bad = stdioClient(s.home, ['--access-key', 'hx_ak_not-a-real-key-at-all-0000000000000000000']);
    await expect(bad).rejects.toThrow();
  }, 60_000);

  it('an edit-tier key proposes instead of writing; the owner approves, undoes, and it is audited', async () => {
    const c = await connect(keys.edit!);
    const store = await call(c, 'helix_store', {
      content: 'edit key wants this stored',
      title: 'From agent',
      namespace: 'alpha',
    });
    expect(store.data.written).toBe(false);
    expect(store.text).toMatch(/proposal .* pending/);
    const pid = store.data.proposal.id as string;
    const listed = await s.api.get('/api/v1/nodes?namespace=alpha&kind=fact', admin);
    expect(listed.body.items.map((n: Json) => n.title)).not.toContain('From agent');

    const upd = await call(c, 'helix_update_node', { id: ids.alpha2, title: 'Renamed by agent' });
    expect(upd.data.proposal).toMatchObject({ action: 'update', status: 'pending' });
    const del = await call(c, 'helix_delete_node', { id: ids.alpha2 });
    expect(del.data.proposal).toMatchObject({ action: 'delete', status: 'pending' });
    expect((await s.api.get(`/api/v1/nodes/${ids.alpha2}`, admin)).body.title).toBe('Alpha misc');
    expect((await callError(c, 'helix_link', { from_id: ids.alpha, to_id: ids.alpha2 })).error?.code).toBe(
      'forbidden',
    );

    // the proposer cannot decide its own proposal
    const self = await s.api.post(
      `/api/v1/exchange/proposals/${pid}/approve`,
      {},
      { authorization: `Bearer ${keys.edit}` },
    );
    expect(self.status).toBe(403);
    const approved = await s.api.post(`/api/v1/exchange/proposals/${pid}/approve`, { note: 'fine' }, admin);
    expect(approved.status, approved.text).toBe(200);
    expect(approved.body).toMatchObject({ status: 'approved', decided_by: 'token' });
    const created = await s.api.get(`/api/v1/nodes/${approved.body.result_node_id}`, admin);
    expect(created.body).toMatchObject({ title: 'From agent', namespace: 'alpha' });

    const renamed = await s.api.post(`/api/v1/exchange/proposals/${upd.data.proposal.id}/approve`, {}, admin);
    expect(renamed.status).toBe(200);
    expect((await s.api.get(`/api/v1/nodes/${ids.alpha2}`, admin)).body.title).toBe('Renamed by agent');
    const undone = await s.api.post(`/api/v1/exchange/proposals/${upd.data.proposal.id}/undo`, {}, admin);
    expect(undone.body.status).toBe('undone');
    expect((await s.api.get(`/api/v1/nodes/${ids.alpha2}`, admin)).body.title).toBe('Alpha misc');
    const rejected = await s.api.post(`/api/v1/exchange/proposals/${del.data.proposal.id}/reject`, {}, admin);
    expect(rejected.body.status).toBe('rejected');
    expect((await s.api.get(`/api/v1/nodes/${ids.alpha2}`, admin)).status).toBe(200);

    const audit = await s.api.get(`/api/v1/audit/query?target=${pid}`, admin);
    expect(audit.body.items.map((r: Json) => r.action)).toEqual(
      expect.arrayContaining(['proposal.create', 'proposal.approve']),
    );
  });

  it('auto-approve rules approve confident proposals, and say so in the audit trail', async () => {
    const rule = await s.api.post(
      '/api/v1/exchange/auto-approve-rules',
      { action: 'tag', namespace: 'alpha', min_confidence: 0.9 },
      admin,
    );
    expect(rule.status, rule.text).toBe(201);
    const c = await connect(keys.edit!);
    const sure = await call(c, 'helix_propose_tag', {
      target_node_id: ids.alpha,
      tag: 'reviewed',
      confidence: 0.95,
    });
    expect(sure.data.proposal).toMatchObject({ status: 'approved', auto_rule_id: rule.body.id });
    expect((await s.api.get(`/api/v1/nodes/${ids.alpha}`, admin)).body.tags).toContain('reviewed');
    const unsure = await call(c, 'helix_propose_tag', {
      target_node_id: ids.alpha,
      tag: 'maybe',
      confidence: 0.5,
    });
    expect(unsure.data.proposal.status).toBe('pending');
    const audit = await s.api.get(`/api/v1/audit/query?target=${sure.data.proposal.id}`, admin);
    expect(audit.body.items.map((r: Json) => r.action)).toContain('proposal.auto_approve');
  });

  it('a view-tier key with a tag limit sees only that tag and may only propose inside it', async () => {
    const c = await connect(keys.view!);
    const found = await call(c, 'helix_search', { query: 'zeppelin' });
    expect(found.data.items.map((i: Json) => i.id)).toEqual([ids.alpha]);
    expect((await callError(c, 'helix_get_node', { id: ids.alpha2 })).error?.code).toBe('not_found');
    const outside = await callError(c, 'helix_store', { content: 'untagged', namespace: 'alpha' });
    expect(outside.error?.code).toBe('forbidden');
    const inside = await call(c, 'helix_store', {
      content: 'tagged',
      namespace: 'alpha',
      tags: ['project-x'],
    });
    expect(inside.data).toMatchObject({ written: false, proposal: { status: 'pending' } });
  });

  it('allow_actions limits which tools a key gets', async () => {
    const c = await connect(keys.searchOnly!);
    expect((await c.listTools()).tools.map((t) => t.name).sort()).toEqual([
      'helix_search',
      'helix_search_vault',
    ]);
  });

  it('malformed JSON, unknown methods, bad params and huge bodies get JSON-RPC errors; serving goes on', async () => {
    const post = (body: string) =>
      fetch(`${s.url}/mcp`, {
        method: 'POST',
        headers: {
          ...admin,
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body,
      });
    const parse = await post('{"jsonrpc":"2.0","id":1,');
    expect(parse.status).toBe(400);
    expect(((await parse.json()) as Json).error.code).toBe(-32700);
    const unknown = await post(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'no/such' }));
    expect(((await unknown.json()) as Json).error.code).toBe(-32601);
    const params = await post(
      JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'tools/call', params: { arguments: 1 } }),
    );
    expect(((await params.json()) as Json).error).toMatchObject({ code: -32602 });
    const invalid = await post(JSON.stringify({ id: 4, method: 'tools/list' }));
    expect(invalid.status).toBe(400);
    const huge = await post(
      JSON.stringify({
        jsonrpc: '2.0',
        id: 5,
        method: 'tools/call',
        params: { name: 'helix_store', arguments: { content: 'x'.repeat(9 * 1024 * 1024) } },
      }),
    );
    expect(huge.status).toBe(413);
    const get = await fetch(`${s.url}/mcp`, { headers: { ...admin, accept: 'text/event-stream' } });
    expect(get.status).toBe(405);
    const c = await connect(TOKEN);
    const wrong = await callError(c, 'helix_recall', { query: ['not', 'a', 'string'] });
    expect(wrong.text).toMatch(/query/);
    expect((await call(c, 'helix_search', { query: 'zeppelin' })).data.items.length).toBeGreaterThan(0);
  });
});
