import { performance } from 'node:perf_hooks';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { CreateNodeBody } from '../src/knowledge/nodes/schema.js';
import { createNode as createNodeService } from '../src/knowledge/nodes/service.js';
import { checkNamespaceQuota, namespaceUsage } from '../src/security/quota.js';
import { createNode } from './support/factories.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

const ndjson = (lines: unknown[]) => `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`;
const nodeLine = (i: number, namespace: string) => ({
  type: 'node',
  id: `0190f000-0000-7000-8000-${String(i).padStart(12, '0')}`,
  kind: 'fact',
  title: `imported ${i}`,
  content: `imported content ${i}`,
  namespace,
});

describe('namespace node quota over REST (HELIX_NAMESPACE_NODE_QUOTA)', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ flags: { 'knowledge.namespace_node_quota': 3 } });
  });
  afterAll(() => s.close());

  it('answers 403 quota_exceeded with quota, usage and namespace past the quota', async () => {
    for (let i = 0; i < 3; i++) await createNode(s.api, { namespace: 'full' });
    const res = await s.api.post('/api/v1/nodes', {
      kind: 'fact',
      content: 'one too many',
      namespace: 'full',
    });
    expect(res.status).toBe(403);
    expect(res.body.error).toMatchObject({
      code: 'quota_exceeded',
      details: { namespace: 'full', quota: 3, usage: 3 },
    });
    // nothing was written
    const list = await s.api.get('/api/v1/nodes?namespace=full&limit=10');
    expect(list.body.items).toHaveLength(3);
    // other namespaces have their own count
    expect(
      (await s.api.post('/api/v1/nodes', { kind: 'fact', content: 'fine', namespace: 'other' })).status,
    ).toBe(201);
  });

  it('frees a slot when a node is deleted, and refuses moving a node into a full namespace', async () => {
    const a = await createNode(s.api, { namespace: 'moving' });
    await createNode(s.api, { namespace: 'moving' });
    await createNode(s.api, { namespace: 'moving' });
    expect(
      (await s.api.post('/api/v1/nodes', { kind: 'fact', content: 'x', namespace: 'moving' })).status,
    ).toBe(403);
    expect((await s.api.del(`/api/v1/nodes/${a.id}`)).status).toBe(204);
    expect(
      (await s.api.post('/api/v1/nodes', { kind: 'fact', content: 'x', namespace: 'moving' })).status,
    ).toBe(201);

    const outsider = await createNode(s.api, { namespace: 'elsewhere' });
    const moved = await s.api.put(`/api/v1/nodes/${outsider.id}`, { namespace: 'moving' });
    expect(moved.status).toBe(403);
    expect(moved.body.error.details).toEqual({ namespace: 'moving', quota: 3, usage: 3 });
    expect((await s.api.get(`/api/v1/nodes/${outsider.id}`)).body.namespace).toBe('elsewhere');
  });

  it('fails the import lines past the quota with a reason, and imports the rest', async () => {
    const lines = [0, 1, 2, 3, 4].map((i) => nodeLine(i, 'imports'));
    const res = await s.api.request('POST', '/api/v1/import', {
      body: ndjson(lines),
      headers: { 'content-type': 'application/x-ndjson' },
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ imported: 3, failed: 2 });
    expect(res.body.failures).toHaveLength(2);
    for (const f of res.body.failures) expect(f.reason).toMatch(/namespace imports holds 3 of its 3 nodes/);
  });
});

describe('quota configuration and cost', () => {
  it('reads HELIX_NAMESPACE_NODE_QUOTA, defaulting to 0 (unlimited)', () => {
    const home = tempDir();
    try {
      expect(loadConfig({ home, env: {}, cwd: home }).config.knowledge.namespace_node_quota).toBe(0);
      const loaded = loadConfig({ home, env: { HELIX_NAMESPACE_NODE_QUOTA: '250' }, cwd: home });
      expect(loaded.config.knowledge.namespace_node_quota).toBe(250);
    } finally {
      removeDir(home);
    }
  });

  it('keeps the counter exact and checks in O(1) at 100k nodes', () => {
    const home = tempDir();
    const app = createApp(
      loadConfig({ home, env: {}, cwd: home, flags: { 'knowledge.namespace_node_quota': 100_001 } }),
      { logger: silentLogger() },
    );
    try {
      const { db } = app.ctx;
      const insert = db.prepare(
        `INSERT INTO nodes (id, kind, content, namespace, created_at, updated_at) VALUES (?, 'fact', 'x', ?, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`,
      );
      db.transaction(() => {
        for (let i = 0; i < 100_000; i++) insert.run(`n-${i}`, i % 10 === 0 ? 'small' : 'big');
      })();
      const count = (ns: string) =>
        (db.prepare('SELECT COUNT(*) AS n FROM nodes WHERE namespace = ?').get(ns) as { n: number }).n;
      expect(namespaceUsage(db, 'big')).toBe(90_000);
      expect(namespaceUsage(db, 'small')).toBe(10_000);
      db.prepare("UPDATE nodes SET namespace = 'small' WHERE id IN ('n-1', 'n-2')").run();
      db.prepare("DELETE FROM nodes WHERE id = 'n-0'").run();
      expect(namespaceUsage(db, 'big')).toBe(count('big'));
      expect(namespaceUsage(db, 'small')).toBe(count('small'));

      const time = (fn: () => void, n: number) => {
        const t0 = performance.now();
        for (let i = 0; i < n; i++) fn();
        return ((performance.now() - t0) / n) * 1000;
      };
      const counterUs = time(() => checkNamespaceQuota(app.ctx, 'big'), 20_000);
      const countUs = time(() => count('big'), 20);
      console.log(
        `quota check at 100k nodes: counter ${counterUs.toFixed(2)} µs/check, COUNT(*) ${countUs.toFixed(0)} µs/check`,
      );
      // one primary-key read: far below the indexed COUNT, whose cost grows with the namespace
      expect(counterUs).toBeLessThan(countUs / 10);
      expect(counterUs).toBeLessThan(100);

      // the service path enforces it at the boundary
      app.ctx.config.knowledge.namespace_node_quota = namespaceUsage(db, 'big');
      expect(() =>
        createNodeService(app.ctx, CreateNodeBody.parse({ kind: 'fact', content: 'x', namespace: 'big' })),
      ).toThrow(/holds 89998 of its 89998 nodes/);
    } finally {
      app.close();
      removeDir(home);
    }
  });
});
