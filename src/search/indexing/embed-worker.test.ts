import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { deleteNode, updateNode } from '../../knowledge/nodes/service.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { HashEmbedder } from '../embeddings/hash.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import { tempStore, type TempStore } from '../vectors/testing.js';
import { EmbedWorker } from './embed-worker.js';

/** Counts what it embeds, and can be told to fail. */
class CountingEmbedder implements EmbeddingProvider {
  readonly inner = new HashEmbedder(32);
  readonly id = this.inner.id;
  readonly provider = this.inner.provider;
  readonly model = this.inner.model;
  readonly dimensions = this.inner.dimensions;
  embedded: string[] = [];
  failNext = false;
  async embed(texts: string[]) {
    if (this.failNext) {
      this.failNext = false;
      throw new Error('provider down');
    }
    this.embedded.push(...texts);
    return this.inner.embed(texts);
  }
}

let t: TestApp;
let v: TempStore;
let embedder: CountingEmbedder;
let worker: EmbedWorker;
beforeEach(async () => {
  t = makeTestApp({ 'embedding.batch_size': 3 });
  v = await tempStore();
  embedder = new CountingEmbedder();
  worker = new EmbedWorker(t.ctx, embedder, () => v.store.tableFor(embedder));
});
afterEach(() => {
  v.dispose();
  t.dispose();
});

describe('embedding worker', () => {
  it('embeds every node once, in batches, and marks the space complete', async () => {
    for (let i = 0; i < 7; i++) makeNode(t.ctx, { content: `text ${i}` });
    expect(worker.queue.ensureSpace(embedder.id, embedder.dimensions, '2026-01-01T00:00:00Z').state).toBe(
      'filling',
    );
    const r = await worker.drain();
    expect(r).toMatchObject({ embedded: 7, batches: 3, failed: 0 });
    expect(await (await v.store.tableFor(embedder)).count()).toBe(7);
    await worker.runBatch();
    expect(worker.queue.space(embedder.id)?.state).toBe('complete');
    expect(embedder.embedded).toHaveLength(7);
  });

  it('re-embeds only changed text and removes vectors of deleted nodes', async () => {
    const a = makeNode(t.ctx, { content: 'alpha' });
    const b = makeNode(t.ctx, { content: 'beta' });
    await worker.drain();
    updateNode(t.ctx, a.id, { content: 'alpha two' });
    updateNode(t.ctx, b.id, { importance: 0.9 }); // no new text: not even queued
    deleteNode(t.ctx, b.id);
    embedder.embedded = [];
    expect(await worker.drain()).toMatchObject({ embedded: 1, removed: 1 });
    expect(embedder.embedded).toEqual(['alpha two']);
    expect(await (await v.store.tableFor(embedder)).count()).toBe(1);
  });

  it('never embeds twice after a crash between storing vectors and clearing the queue', async () => {
    makeNode(t.ctx, { content: 'one' });
    makeNode(t.ctx, { content: 'two' });
    const entries = worker.queue.ready('9999', 10);
    // simulate the crash: vectors stored, queue rows still there
    await worker.drain();
    t.ctx.db
      .prepare('INSERT INTO embedding_queue (node_id, operation, enqueued_at) VALUES (?, ?, ?)')
      .run(entries[0]!.node_id, 'upsert', entries[0]!.enqueued_at);
    embedder.embedded = [];
    expect(await worker.drain()).toMatchObject({ embedded: 0, unchanged: 1 });
    expect(embedder.embedded).toEqual([]);
  });

  it('keeps the need when the provider fails, and backs off', async () => {
    makeNode(t.ctx, { content: 'x' });
    embedder.failNext = true;
    expect(await worker.runBatch()).toMatchObject({ failed: 1 });
    expect(worker.queue.pending()).toBe(1);
    expect(worker.queue.lastError()).toBe('provider down');
    expect((await worker.runBatch()).batches).toBe(0); // not before its back-off
    t.clock.advance(10_000);
    expect(await worker.runBatch()).toMatchObject({ embedded: 1 });
  });
});
