import type { Context } from '../core/context.js';
import type { EmbeddingSelection } from './embeddings/select.js';
import { EmbedWorker } from './indexing/embed-worker.js';
import type { VectorAvailability } from './recall/vector-signal.js';
import type { VectorStore } from './vectors/store.js';

type State = 'stopped' | 'starting' | 'ready' | 'failed';

export interface EmbeddingDiagnostics {
  state: State;
  provider: string | null;
  model: string | null;
  dimensions: number | null;
  requested: { provider: string; model: string; dimensions: number };
  fallback: EmbeddingSelection['fallback'];
  space: { id: string; state: string; started_at: string; completed_at: string | null } | null;
  vectors_stored: number | null;
  pending: number;
  last_error: string | null;
  batches: number;
  mean_batch_ms: number | null;
}

/**
 * The vector half of search for one process: the selected embedder, the LanceDB table of its
 * space, and the worker that drains the embedding queue in the background. Starting is async (a
 * first GloVe table takes seconds to build) and never blocks the server: until it is ready, or if
 * it fails, recall says so and uses full text.
 */
export class SearchRuntime {
  state: State = 'stopped';
  selection: EmbeddingSelection | null = null;
  store: VectorStore | null = null;
  worker: EmbedWorker | null = null;
  error: string | null = null;
  #timer: NodeJS.Timeout | null = null;
  #draining = false;
  #sinceIndex = 0;

  constructor(private readonly ctx: Context) {}

  async start(options: { background?: boolean } = {}): Promise<void> {
    if (this.state !== 'stopped') return;
    this.state = 'starting';
    try {
      const { selectEmbeddingProvider } = await import('./embeddings/select.js');
      const { openVectorStore } = await import('./vectors/store.js');
      const { config, paths, logger } = this.ctx;
      this.selection = await selectEmbeddingProvider({ config, paths, logger });
      const provider = this.selection.provider;
      this.store = await openVectorStore(paths.lancedbPath, logger);
      const store = this.store;
      await store.tableFor(provider);
      this.worker = new EmbedWorker(
        this.ctx,
        provider,
        () => store.tableFor(provider),
        async () => {
          if (this.ctx.config.embedding.keep_previous_spaces) return;
          // the new space is complete, so recall no longer needs the old model's vectors
          for (const old of this.worker!.queue.inactiveSpaces()) {
            await store.drop(old);
            this.worker!.queue.forgetSpace(old.id);
            this.ctx.logger.info({ space: old.id }, 'previous vector space dropped');
          }
        },
      );
      this.worker.queue.ensureSpace(provider.id, provider.dimensions, this.ctx.clock.now().toISOString());
      this.state = 'ready';
      if (options.background) this.#schedule(0);
    } catch (err) {
      this.state = 'failed';
      this.error = (err as Error).message;
      this.ctx.logger.warn({ err: this.error }, 'vector search unavailable: recall uses full text');
    }
  }

  #schedule(ms: number) {
    if (this.state !== 'ready') return;
    this.#timer = setTimeout(() => void this.#tick(), ms);
    this.#timer.unref();
  }

  async #tick() {
    if (this.#draining || !this.worker) return;
    this.#draining = true;
    let next = 1000;
    try {
      const r = await this.worker.runBatch();
      if (r.batches > 0 && !r.failed) next = 0;
      this.#sinceIndex += r.embedded;
      if (this.#sinceIndex >= 5000 || (r.batches === 0 && this.#sinceIndex > 0)) {
        this.#sinceIndex = 0;
        const { maintainIndex } = await import('./vectors/maintain-index.js');
        const table = await this.store!.tableFor(this.selection!.provider);
        await maintainIndex(table, this.ctx.logger).catch((err: Error) =>
          this.ctx.logger.warn({ err: err.message }, 'vector index maintenance failed'),
        );
      }
    } catch (err) {
      // a background failure is logged and retried later; it must never take the server down
      next = 5000;
      this.ctx.logger.warn({ err: (err as Error).message }, 'embedding worker tick failed');
    } finally {
      this.#draining = false;
      this.#schedule(next);
    }
  }

  /** Whether recall may use vectors now, and if not, the sentence that says why. */
  vectors(): VectorAvailability {
    if (this.state === 'starting' || this.state === 'stopped')
      return { signal: null, notice: 'the embedder is still loading: full text only' };
    if (this.state === 'failed' || !this.worker || !this.store || !this.selection) {
      return {
        signal: null,
        notice: `vector search unavailable (${this.error}): full text only; \`hx db reindex --vectors\` rebuilds it`,
      };
    }
    const provider = this.selection.provider;
    const space = this.worker.queue.space(provider.id);
    if (space?.state !== 'complete') {
      return {
        signal: null,
        notice: `vectors for ${provider.id} are still being computed (${this.worker.queue.pending()} nodes pending): full text only`,
      };
    }
    const store = this.store;
    return {
      signal: {
        embedder: provider.id,
        provider: provider.provider,
        async search(text, options) {
          const [vector] = await provider.embed([text]);
          const hits = await (await store.tableFor(provider)).search(vector!, options);
          return hits.map((h) => ({ id: h.node_id, score: h.score }));
        },
      },
    };
  }

  async diagnostics(): Promise<EmbeddingDiagnostics> {
    const e = this.ctx.config.embedding;
    const provider = this.selection?.provider ?? null;
    const space = provider ? (this.worker?.queue.space(provider.id) ?? null) : null;
    const stats = this.worker?.stats;
    let stored: number | null = null;
    try {
      stored = this.store && provider ? await (await this.store.tableFor(provider)).count() : null;
    } catch (err) {
      this.error = (err as Error).message;
    }
    return {
      state: this.state,
      provider: provider?.provider ?? null,
      model: provider?.model ?? null,
      dimensions: provider?.dimensions ?? null,
      requested: { provider: e.provider, model: e.model, dimensions: e.dimensions },
      fallback: this.selection?.fallback ?? null,
      space: space
        ? { id: space.id, state: space.state, started_at: space.started_at, completed_at: space.completed_at }
        : null,
      vectors_stored: stored,
      pending: (this.ctx.db.prepare('SELECT count(*) AS n FROM embedding_queue').get() as { n: number }).n,
      last_error: stats?.lastError ?? this.worker?.queue.lastError() ?? this.error,
      batches: stats?.batches ?? 0,
      mean_batch_ms: stats?.batches ? stats.batchMs / stats.batches : null,
    };
  }

  async close(): Promise<void> {
    if (this.#timer) clearTimeout(this.#timer);
    this.state = 'stopped';
    // let a batch in flight finish writing before the store closes under it
    while (this.#draining) await new Promise((r) => setTimeout(r, 20));
    this.store?.close();
    await this.selection?.provider.close?.();
  }
}
