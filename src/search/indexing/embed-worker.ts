import { createHash } from 'node:crypto';
import type { Context } from '../../core/context.js';
import { indexableText } from '../../knowledge/nodes/sealing.js';
import { fieldCodec } from '../../storage/sealed-fields.js';
import type { EmbeddingProvider } from '../embeddings/provider.js';
import type { VectorRow } from '../vectors/arrow.js';
import type { VectorTable } from '../vectors/vector-table.js';
import { EmbedQueue, type QueueEntry } from './embed-queue.js';

type StoredText = {
  id: string;
  namespace: string;
  title: string | null;
  content: string;
  metadata: string;
  sealed_key: number | null;
};

/** What one node contributes to its vector; the hash decides whether it must be embedded again. */
export const embeddingText = (title: string | null, content: string) =>
  (title ? `${title}\n\n${content}` : content).slice(0, 8000);

const hashOf = (spaceId: string, namespace: string, text: string) =>
  createHash('sha256').update(`${spaceId}\u0000${namespace}\u0000${text}`).digest('base64url').slice(0, 22);

export interface DrainResult {
  embedded: number;
  unchanged: number;
  removed: number;
  failed: number;
  batches: number;
  ms: number;
}

export interface EmbedWorkerStats {
  batches: number;
  batchMs: number;
  embedded: number;
  lastError: string | null;
}

/**
 * Drains the embedding queue in batches. A batch is removed from the queue only after its vectors
 * are stored, and only if no newer write re-queued a node meanwhile; after a crash the batch runs
 * again, and unchanged text is recognised by its hash instead of being embedded twice.
 */
export class EmbedWorker {
  readonly stats: EmbedWorkerStats = { batches: 0, batchMs: 0, embedded: 0, lastError: null };
  readonly queue: EmbedQueue;

  constructor(
    private readonly ctx: Context,
    readonly provider: EmbeddingProvider,
    /** asked per batch: the store reopens a table after a failure, so a handle is never kept */
    private readonly tableOf: () => Promise<VectorTable>,
    /** called once when the space completes (the runtime retires the spaces it replaced) */
    private readonly onComplete?: (spaceId: string) => Promise<void>,
  ) {
    this.queue = new EmbedQueue(ctx.db);
  }

  /** One batch; returns how many queue entries it handled (0: nothing ready). */
  async runBatch(size = this.ctx.config.embedding.batch_size): Promise<DrainResult> {
    const started = performance.now();
    const now = this.ctx.clock.now();
    const entries = this.queue.ready(now.toISOString(), size);
    const result: DrainResult = { embedded: 0, unchanged: 0, removed: 0, failed: 0, batches: 0, ms: 0 };
    if (entries.length === 0) return await this.finishIfDrained(result);
    try {
      await this.handle(entries, result);
      this.queue.done(entries);
    } catch (err) {
      const message = (err as Error).message;
      this.stats.lastError = message;
      this.queue.failed(entries, message, now);
      result.failed = entries.length;
      this.ctx.logger.warn({ err: message, entries: entries.length }, 'embedding batch failed; will retry');
    }
    result.batches = 1;
    result.ms = performance.now() - started;
    this.stats.batches++;
    this.stats.batchMs += result.ms;
    this.stats.embedded += result.embedded;
    return result;
  }

  /** Runs batches until nothing is ready (a reindex, tests, the CLI). */
  async drain(onProgress?: (done: number, pending: number) => void): Promise<DrainResult> {
    const total: DrainResult = { embedded: 0, unchanged: 0, removed: 0, failed: 0, batches: 0, ms: 0 };
    for (;;) {
      const r = await this.runBatch();
      if (r.batches === 0) return total;
      for (const k of Object.keys(total) as (keyof DrainResult)[]) total[k] += r[k];
      onProgress?.(total.embedded + total.unchanged + total.removed, this.queue.pending());
      if (r.failed) return total;
    }
  }

  private async handle(entries: QueueEntry[], result: DrainResult) {
    const table = await this.tableOf();
    const ids = entries.map((e) => e.node_id);
    const codec = fieldCodec(this.ctx.db);
    // sealed rows are embedded from what `[encryption] index_plaintext` lets an index hold
    const rows = (
      this.ctx.db
        .prepare(
          'SELECT id, namespace, title, content, metadata, sealed_key FROM nodes WHERE id IN (SELECT value FROM json_each(?))',
        )
        .all(JSON.stringify(ids)) as StoredText[]
    ).map((r) => ({ id: r.id, namespace: r.namespace, ...indexableText(codec, r) }));
    const present = new Map(rows.map((r) => [r.id, r]));
    const gone = ids.filter((id) => !present.has(id));
    if (gone.length) result.removed += await table.remove(gone);
    const stored = await table.hashes(rows.map((r) => r.id));
    const todo = rows
      .map((r) => {
        const text = embeddingText(r.title, r.content);
        return { ...r, text, hash: hashOf(this.provider.id, r.namespace, text) };
      })
      .filter((r) => {
        const same = stored.get(r.id) === r.hash;
        if (same) result.unchanged++;
        return !same;
      });
    if (todo.length === 0) return;
    const vectors = await this.provider.embed(todo.map((r) => r.text));
    const upserts: VectorRow[] = todo.map((r, i) => ({
      node_id: r.id,
      namespace: r.namespace,
      content_hash: r.hash,
      vector: vectors[i]!,
    }));
    await table.upsert(upserts);
    result.embedded += upserts.length;
  }

  private async finishIfDrained(result: DrainResult): Promise<DrainResult> {
    const space = this.queue.space(this.provider.id);
    if (space?.state === 'filling' && this.queue.pending() === 0) {
      this.queue.markComplete(this.provider.id, this.ctx.clock.now().toISOString());
      this.ctx.logger.info({ space: this.provider.id }, 'vector space complete');
      try {
        await this.onComplete?.(this.provider.id);
      } catch (err) {
        this.ctx.logger.warn({ err: (err as Error).message }, 'could not retire the previous vector spaces');
      }
    }
    return result;
  }
}
