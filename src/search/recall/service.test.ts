import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../core/validate.js';
import { getNode } from '../../knowledge/nodes/service.js';
import { createRelationship } from '../../knowledge/relationships/service.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { RecallBody } from './schema.js';
import { flushAccess } from './access-log.js';
import { recall } from './service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'embedding.provider': 'hash', 'embedding.dimensions': 64 });
});
afterEach(async () => {
  await t.search.close();
  t.dispose();
});

const ask = (body: Record<string, unknown>) => recall(t.ctx, validate(RecallBody, body), t.search.vectors());

async function ready() {
  await t.search.start();
  await t.search.worker!.drain();
  await t.search.worker!.runBatch(); // an empty batch marks the space complete
}

describe('recall', () => {
  it('uses full text alone, and says so, until the vectors are complete', async () => {
    makeNode(t.ctx, { title: 'Boundary layers', content: 'heat transfer in supersonic flow' });
    await t.search.start();
    const r = await ask({ text: 'supersonic heat' });
    expect(r.strategy).toBe('fulltext');
    expect(r.notices[0]).toMatch(/still being computed \(1 nodes pending\)/);
    expect(r.results[0]?.match_source).toBe('fulltext');
  });

  it('fuses full text and vectors with an explanation of each signal', async () => {
    const a = makeNode(t.ctx, {
      title: 'Boundary layers',
      content: 'heat transfer in supersonic flow over wings',
    });
    makeNode(t.ctx, { title: 'Gardening', content: 'tomatoes want sun and water' });
    await ready();
    const r = await ask({ text: 'supersonic flow heat', strategy: 'hybrid' });
    expect(r.strategy).toBe('hybrid');
    expect(r.query.embedder).toMatch(/^hash:/);
    const top = r.results[0]!;
    expect(top.node.id).toBe(a.id);
    expect(top.score).toBe(1);
    expect(top.match_source).toBe('hybrid');
    expect(top.explain.fulltext?.rank).toBe(1);
    expect(top.explain.vector?.rank).toBe(1);
    const vectorOnly = await ask({ text: 'supersonic flow heat', strategy: 'vector' });
    expect(vectorOnly.results[0]?.match_source).toBe('vector');
  });

  it('applies filters before ranking', async () => {
    for (let i = 0; i < 30; i++) makeNode(t.ctx, { content: `rocket engine note ${i}`, namespace: 'a' });
    const b = makeNode(t.ctx, {
      content: 'a rocket',
      namespace: 'b',
      kind: 'task',
      importance: 0.9,
      tags: ['x'],
    });
    await ready();
    for (const strategy of ['fulltext', 'vector', 'hybrid'] as const) {
      const r = await ask({ text: 'rocket engine', strategy, limit: 3, namespace: 'b' });
      expect(
        r.results.map((x) => x.node.id),
        strategy,
      ).toEqual([b.id]);
      const k = await ask({
        text: 'rocket engine',
        strategy,
        limit: 3,
        kinds: ['task'],
        tags: ['x'],
        min_importance: 0.8,
      });
      expect(
        k.results.map((x) => x.node.id),
        strategy,
      ).toEqual([b.id]);
    }
  });

  it('boosts and brings in linked nodes (graph), and records access without blocking', async () => {
    const hit = makeNode(t.ctx, { title: 'Kestrel', content: 'a small falcon that hovers' });
    const linked = makeNode(t.ctx, { title: 'Field notes', content: 'seen over the meadow on Tuesday' });
    createRelationship(t.ctx, {
      from_node: linked.id,
      to_node: hit.id,
      kind: 'references',
      weight: 1,
      metadata: {},
    });
    const r = await ask({ text: 'falcon hovers', strategy: 'graph', min_score: 0 });
    expect(r.results.map((x) => x.node.id)).toEqual([hit.id, linked.id]);
    expect(r.results[1]).toMatchObject({
      match_source: 'graph',
      explain: { graph: { via: hit.id, depth: 1 } },
    });
    // counted in memory, written in one batch (after a second, or when the database closes)
    expect(getNode(t.ctx, hit.id).access_count).toBe(0);
    flushAccess(t.ctx.db);
    expect(getNode(t.ctx, hit.id).access_count).toBe(1);
    await ask({ text: 'falcon hovers', strategy: 'graph', min_score: 0 });
    await ask({ text: 'falcon hovers', strategy: 'graph', min_score: 0 });
    flushAccess(t.ctx.db);
    expect(getNode(t.ctx, hit.id)).toMatchObject({ access_count: 3, last_accessed_at: expect.any(String) });
  });

  it('refuses LLM rewrites without a model, clearly', async () => {
    await expect(ask({ text: 'x', rewrite: 'hyde' })).rejects.toThrow(/rewrite: hyde needs a language model/);
  });
});
