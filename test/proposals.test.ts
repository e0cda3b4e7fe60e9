import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { createNode } from '../src/knowledge/nodes/service.js';
import { proposeChange } from '../src/knowledge/proposals/service.js';
import type { Principal } from '../src/security/principal.js';
import { hx } from './support/cli.js';
import type { Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

/**
 * Proposals over REST: every action applied through the node services on approval and reverted
 * by undo, reject, batch decisions that succeed or fail one by one, the mirror `proposal` node,
 * status filters and paging; and `hx proposals list|approve|reject` on a local data home.
 */
describe('proposals over REST', () => {
  let s: TestServer;
  const post = (path: string, body: unknown = {}) => s.api.post(path, body);
  const propose = async (body: Record<string, unknown>) => {
    const res = await post('/api/v1/exchange/proposals', body);
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };
  const node = async (body: Record<string, unknown>) => (await post('/api/v1/nodes', body)).body as Json;
  const decide = async (id: string, verb: string, status = 200) => {
    const res = await post(`/api/v1/exchange/proposals/${id}/${verb}`);
    expect(res.status, res.text).toBe(status);
    return res.body as Json;
  };

  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('create: approve makes the node, undo removes it; a mirror node of kind proposal tracks status', async () => {
    const p = await propose({
      action: 'create',
      node: { content: 'proposed fact', title: 'P1', tags: ['t'] },
      confidence: 0.7,
      reason: 'why not',
    });
    expect(p).toMatchObject({
      status: 'pending',
      action: 'create',
      namespace: 'default',
      confidence: 0.7,
      source: 'rest',
    });
    const mirror = await s.api.get(`/api/v1/nodes/${p.id}`);
    expect(mirror.body).toMatchObject({ kind: 'proposal', metadata: { proposal: { status: 'pending' } } });
    const approved = await decide(p.id, 'approve');
    const made = await s.api.get(`/api/v1/nodes/${approved.result_node_id}`);
    expect(made.body).toMatchObject({ title: 'P1', content: 'proposed fact', tags: ['t'] });
    expect((await s.api.get(`/api/v1/nodes/${p.id}`)).body.metadata.proposal.status).toBe('approved');
    await decide(p.id, 'approve', 409);
    expect((await decide(p.id, 'undo')).status).toBe('undone');
    expect((await s.api.get(`/api/v1/nodes/${approved.result_node_id}`)).status).toBe(404);
    await decide(p.id, 'undo', 409);
  });

  it('update, tag and delete apply on approval and revert exactly on undo', async () => {
    const n = await node({ content: 'original', title: 'Orig', tags: ['a'] });
    const upd = await propose({
      action: 'update',
      target_node_id: n.id,
      patch: { content: 'changed', title: 'New' },
    });
    await decide(upd.id, 'approve');
    expect((await s.api.get(`/api/v1/nodes/${n.id}`)).body).toMatchObject({
      content: 'changed',
      title: 'New',
    });
    await decide(upd.id, 'undo');
    expect((await s.api.get(`/api/v1/nodes/${n.id}`)).body).toMatchObject({
      content: 'original',
      title: 'Orig',
    });

    const tag = await propose({ action: 'tag', target_node_id: n.id, tag: '#b' });
    expect(tag.payload).toEqual({ tag: 'b' });
    await decide(tag.id, 'approve');
    expect((await s.api.get(`/api/v1/nodes/${n.id}`)).body.tags).toEqual(['a', 'b']);
    await decide(tag.id, 'undo');
    expect((await s.api.get(`/api/v1/nodes/${n.id}`)).body.tags).toEqual(['a']);

    const del = await propose({ action: 'delete', target_node_id: n.id });
    await decide(del.id, 'approve');
    expect((await s.api.get(`/api/v1/nodes/${n.id}`)).status).toBe(404);
    await decide(del.id, 'undo');
    const back = await s.api.get(`/api/v1/nodes/${n.id}`);
    expect(back.body).toMatchObject({ id: n.id, content: 'original', tags: ['a'] });
  });

  it('a proposal whose target vanished cannot be approved; reject leaves the node alone', async () => {
    const n = await node({ content: 'short-lived' });
    const p = await propose({ action: 'update', target_node_id: n.id, patch: { content: 'x' } });
    expect((await s.api.del(`/api/v1/nodes/${n.id}`)).status).toBe(204);
    const res = await post(`/api/v1/exchange/proposals/${p.id}/approve`);
    expect(res.status).toBe(409);
    expect(res.body.error.message).toMatch(/no longer exists/);
    expect((await decide(p.id, 'reject')).status).toBe('rejected');
  });

  it('batch decides each id on its own; lists filter by status and page', async () => {
    const a = await propose({ action: 'create', node: { content: 'batch a' } });
    const b = await propose({ action: 'create', node: { content: 'batch b' } });
    const missing = '01900000-0000-7000-8000-000000000000';
    const res = await post('/api/v1/exchange/proposals/batch', {
      ids: [a.id, b.id, missing],
      decision: 'approve',
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body.results.map((r: Json) => [r.ok, r.status ?? r.error.code])).toEqual([
      [true, 'approved'],
      [true, 'approved'],
      [false, 'not_found'],
    ]);
    const rejected = await post('/api/v1/exchange/proposals/batch', { ids: [a.id], decision: 'reject' });
    expect(rejected.body.results[0].error.code).toBe('conflict');

    const pending = await s.api.get('/api/v1/exchange/proposals?status=pending');
    expect(pending.body.items.every((p: Json) => p.status === 'pending')).toBe(true);
    const page1 = await s.api.get('/api/v1/exchange/proposals?limit=2');
    expect(page1.body.items).toHaveLength(2);
    const page2 = await s.api.get(`/api/v1/exchange/proposals?limit=2&cursor=${page1.body.next_cursor}`);
    expect(page2.body.items[0].id).not.toBe(page1.body.items[1].id);
    expect((await s.api.get('/api/v1/exchange/proposals?status=maybe')).status).toBe(400);
    expect(
      (await post('/api/v1/exchange/proposals', { action: 'tag', target_node_id: 'nope', tag: 'x' })).status,
    ).toBe(400);
  });
});

describe('hx proposals', () => {
  it('lists pending proposals and approves or rejects them on the local data home', async () => {
    const home = tempDir();
    try {
      const app = createApp(
        loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash' } }),
        { logger: silentLogger() },
      );
      const agent: Principal = {
        id: 'agent-key',
        role: 'write',
        namespaces: ['default'],
        via: 'access_key',
        scope: { tier: 'edit' },
      };
      const target = createNode(app.ctx, {
        kind: 'fact',
        content: 'to be tagged',
        tags: [],
        importance: 0.5,
        metadata: {},
      });
      const one = await proposeChange(
        app.ctx,
        agent,
        { action: 'tag', target_node_id: target.id, tag: 'cli', confidence: 0.5 },
        { source: 'test' },
      );
      const two = await proposeChange(
        app.ctx,
        agent,
        {
          action: 'create',
          node: { kind: 'fact', content: 'cli node', tags: [], importance: 0.5, metadata: {} },
          confidence: 0.5,
        },
        { source: 'test' },
      );
      app.close();

      const list = await hx(['--json', 'proposals', 'list'], { home });
      expect(list.code, list.stderr).toBe(0);
      expect(
        list
          .json<Json>()
          .items.map((p: Json) => p.id)
          .sort(),
      ).toEqual([one.id, two.id].sort());
      const human = await hx(['proposals', 'list'], { home });
      expect(human.stdout).toContain(`${target.id} #cli`);

      const approve = await hx(['proposals', 'approve', one.id, '--note', 'ok'], { home });
      expect(approve.code, approve.stderr).toBe(0);
      expect(approve.stdout).toContain(`${one.id}: approved`);
      const reject = await hx(['proposals', 'reject', two.id], { home });
      expect(reject.stdout).toContain(`${two.id}: rejected`);
      const again = await hx(['proposals', 'approve', two.id], { home });
      expect(again.code).toBe(1);
      expect(again.stderr).toMatch(/rejected/);

      const check = createApp(loadConfig({ home, env: {}, cwd: home }), { logger: silentLogger() });
      try {
        const tags = check.ctx.db.prepare('SELECT tag FROM node_tags WHERE node_id = ?').all(target.id) as {
          tag: string;
        }[];
        expect(tags.map((t) => t.tag)).toEqual(['cli']);
        const decisions = check.ctx.db
          .prepare("SELECT action, actor FROM audit_log WHERE action LIKE 'proposal.%' ORDER BY seq")
          .all() as { action: string; actor: string }[];
        expect(decisions).toEqual([
          { action: 'proposal.tag', actor: 'agent-key' },
          { action: 'proposal.create', actor: 'agent-key' },
          { action: 'proposal.approve', actor: 'local' },
          { action: 'proposal.reject', actor: 'local' },
        ]);
      } finally {
        check.close();
      }
    } finally {
      removeDir(home);
    }
  }, 60_000);
});
