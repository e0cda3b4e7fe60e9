import type { Table } from '@lancedb/lancedb';
import { type HelixError, invalid } from '../../core/errors.js';
import { type ArrowSchema, rowsToArrow, type VectorRow } from './arrow.js';
import { isVectorStoreUnavailable, toVectorStoreError } from './errors.js';
import { efFor, SEARCH } from './index-policy.js';
import { EXACT_SCAN_BUDGET, MemoryCopy } from './memory-copy.js';
import type { VectorSpace } from './space.js';
import { chunks, inList } from './sql.js';

export interface SearchOptions {
  k: number;
  /** prefilter: only these namespaces compete for the k places */
  namespaces?: readonly string[];
  /** prefilter: only these nodes (hybrid re-scoring of full-text candidates) */
  nodeIds?: readonly string[];
  /** re-rank refine × k index candidates on full vectors; 1 turns it off */
  refine?: number;
  /** skip the ANN index: exact brute force (recall checks, tiny candidate sets) */
  exact?: boolean;
}

export interface VectorHit {
  node_id: string;
  /** cosine similarity in [-1, 1] */
  score: number;
  /** LanceDB's cosine distance, 1 − score, in [0, 2] */
  distance: number;
}

/** mergeInsert per batch: each is one LanceDB version and one data file; 5k rows ≈ 2 MB at 100 d. */
const UPSERT_BATCH = 5_000;
/** ids per `IN (…)` filter, keeping each SQL string a few tens of KB */
const ID_CHUNK = 1_000;

/** One embedding space's table. Writes are serialized; reads run concurrently with them. */
export class VectorTable {
  private writes: Promise<unknown> = Promise.resolve();
  /** exact search from memory while the table is small enough (memory-copy.ts) */
  readonly memory: MemoryCopy;

  constructor(
    readonly space: VectorSpace,
    readonly name: string,
    /** the LanceDB handle, for index maintenance and benchmarks */
    readonly lance: Table,
    private readonly schema: ArrowSchema,
    private readonly onFailure: (err: HelixError) => void,
    /** the table's `_versions/` folder, whose changes tell of commits by other processes */
    versionsDir: string,
    /** LanceDB's read consistency interval */
    consistencyMs = 5_000,
  ) {
    this.memory = new MemoryCopy(
      lance,
      space.dimensions,
      versionsDir,
      (fn) => this.serialized('load', fn),
      consistencyMs,
    );
  }

  /** Insert or replace by node_id; the last row wins when an id repeats in one call. */
  async upsert(rows: readonly VectorRow[]): Promise<{ inserted: number; updated: number }> {
    const unique = new Map<string, VectorRow>();
    for (const row of rows) {
      this.checkVector(row.vector, 'vector');
      unique.set(row.node_id, row);
    }
    return this.serialized('upsert', async () => {
      let inserted = 0;
      let updated = 0;
      for (const batch of chunks([...unique.values()], UPSERT_BATCH)) {
        const res = await this.lance
          .mergeInsert('node_id')
          .whenMatchedUpdateAll()
          .whenNotMatchedInsertAll()
          .execute(rowsToArrow(this.schema, this.space.dimensions, batch));
        this.memory.applied({ upserted: batch });
        inserted += res.numInsertedRows;
        updated += res.numUpdatedRows;
      }
      return { inserted, updated };
    });
  }

  remove(nodeIds: readonly string[]): Promise<number> {
    return this.serialized('remove', async () => {
      let removed = 0;
      for (const ids of chunks(nodeIds, ID_CHUNK)) {
        removed += (await this.lance.delete(inList('node_id', ids))).numDeletedRows;
        this.memory.applied({ removed: ids });
      }
      return removed;
    });
  }

  /**
   * The k nearest by cosine, filters applied before the limit (LanceDB's default prefilter). From
   * the in-memory copy (exact) when it is loaded and the scan is cheap enough, else from LanceDB.
   */
  async search(vector: Float32Array | readonly number[], options: SearchOptions): Promise<VectorHit[]> {
    this.checkVector(vector, 'vector');
    const { k, namespaces, nodeIds, refine = SEARCH.refineFactor } = options;
    // a short candidate list is cheaper to score exactly than to find in the graph (100k rows:
    // 5 ids 5.2 vs 8.4 ms, 50 ids 6.2 vs 7.2; at 300 the graph wins, 8.7 vs 11.4)
    const exact = options.exact ?? (nodeIds !== undefined && nodeIds.length <= SEARCH.exactCandidates);
    if (!Number.isInteger(k) || k < 1) throw invalid('k', 'must be a positive integer');
    if (!Number.isInteger(refine) || refine < 1) throw invalid('refine', 'must be a positive integer');
    // no direction, no neighbours; an empty allow-list admits nothing
    if (vector.every((x) => x === 0) || namespaces?.length === 0 || nodeIds?.length === 0) {
      return [];
    }
    const memory = this.memory.use();
    if (memory && memory.cost(vector, nodeIds) <= EXACT_SCAN_BUDGET) {
      return memory
        .search(vector, { k, ...(namespaces ? { namespaces } : {}), ...(nodeIds ? { nodeIds } : {}) })
        .map((h) => ({ node_id: h.node_id, score: h.score, distance: 1 - h.score }));
    }
    const filters = [
      ...(namespaces ? [inList('namespace', namespaces)] : []),
      ...(nodeIds ? [inList('node_id', nodeIds)] : []),
    ];
    return this.guard('search', async () => {
      let q = this.lance
        .vectorSearch(Float32Array.from(vector))
        .distanceType('cosine')
        .limit(k)
        .select(['node_id', '_distance']);
      if (filters.length > 0) q = q.where(filters.join(' AND '));
      q = exact ? q.bypassVectorIndex() : q.ef(efFor(k, refine)).refineFactor(refine);
      const rows: Array<{ node_id: string; _distance: number }> = await q.toArray();
      this.memory.refresh();
      // a stored zero vector has no cosine: LanceDB may hand back NaN for it
      return rows
        .filter((r) => Number.isFinite(r._distance))
        .map((r) => ({ node_id: r.node_id, distance: r._distance, score: 1 - r._distance }));
    });
  }

  count(): Promise<number> {
    return this.guard('count', () => this.lance.countRows());
  }

  /** node_id → content_hash of the stored vector, for the ids that have one. */
  hashes(nodeIds: readonly string[]): Promise<Map<string, string>> {
    return this.guard('hashes', async () => {
      const out = new Map<string, string>();
      for (const ids of chunks(nodeIds, ID_CHUNK)) {
        const rows: Array<{ node_id: string; content_hash: string }> = await this.lance
          .query()
          .where(inList('node_id', ids))
          .select(['node_id', 'content_hash'])
          .toArray();
        for (const r of rows) out.set(r.node_id, r.content_hash);
      }
      return out;
    });
  }

  private checkVector(vector: Float32Array | readonly number[], field: string): void {
    if (vector.length !== this.space.dimensions) {
      throw invalid(
        field,
        `expected ${this.space.dimensions} dimensions for ${this.space.id}, got ${vector.length}`,
      );
    }
    if (!vector.every(Number.isFinite)) throw invalid(field, 'contains a non-finite value');
  }

  private serialized<T>(op: string, fn: () => Promise<T>): Promise<T> {
    const run = this.writes.then(() => this.guard(op, fn));
    this.writes = run.catch(() => undefined);
    return run;
  }

  /** Every LanceDB failure leaves as a typed error and tells the store to drop this handle. */
  async guard<T>(op: string, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (err) {
      const e = toVectorStoreError(err, op, { space: this.space.id, table: this.name });
      if (isVectorStoreUnavailable(e)) this.onFailure(e);
      throw e;
    }
  }
}
