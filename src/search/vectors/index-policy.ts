/**
 * When and how a vector table gets its ANN index. Figures measured on this machine (2 shared
 * cores, AMD EPYC, load average 2–6 from other work) with clustered synthetic vectors
 * (`synthetic.ts`) and in-distribution queries; `bench/vectors.ts` reproduces them.
 */

/**
 * Brute force (LanceDB's flat scan) costs rows × dims. Top-10 p50 in `bench/vectors.ts`: 100 dims
 * 8.6 ms at 5k rows, 14–17 ms at 10k; 384 dims 8.5 ms at 1k, 13 ms at 2k. So it meets the 10 ms
 * budget up to about 600k row-dimensions (6,000 rows of 100 dims, 1,560 of 384); above, an index.
 */
export const BRUTE_FORCE_BUDGET = 600_000;
/** Below this an index is never worth its upkeep, whatever the dimension (1536-d API models). */
export const MIN_INDEX_ROWS = 1_000;

/**
 * HNSW_SQ over IVF_PQ. At 100k × 100 dims, IVF_PQ (316 partitions, 25 sub-vectors) took 181–235 s
 * to build and reached recall 0.863 with refineFactor 2, 0.985 with 5 (5.6 ms p50); HNSW_SQ took
 * 24–46 s and gave 0.999 at 4.6–5.7 ms (100k × 384: 86 s, 0.999, 4.6 ms). m 16 / efConstruction
 * 100 builds twice as fast as m 20 / 300 for the same recall once re-ranked. One partition: a
 * single graph, which is what HNSW wants at this size (SQ keeps a byte per dimension in memory).
 */
export const HNSW = { numPartitions: 1, m: 16, efConstruction: 100 } as const;

/**
 * Search side: the SQ codes alone plateau at recall 0.965–0.974; re-ranking 2 × k candidates on
 * the full vectors (refineFactor 2) lifts it to 0.999 for under 1 ms. ef below 40 loses recall
 * (0.75 at 20), so the beam is at least 64 and never narrower than the candidates wanted. A
 * candidate list (`nodeIds`) of up to 100 ids is scored exactly: cheaper than the graph there.
 */
export const SEARCH = { refineFactor: 2, minEf: 64, exactCandidates: 100 } as const;
export const efFor = (k: number, refine: number): number => Math.max(SEARCH.minEf, 2 * k * refine);

/**
 * New rows are not in the index; LanceDB scans them by brute force and merges. `optimize()` folds
 * them in as a delta segment (0.3–2.4 s for 2–7k rows, no retraining) once they exceed 10% of the
 * table or a quarter of the brute force budget, whichever comes first: the flat part of a query
 * then stays under ~2.5 ms. Each delta is one more graph to search, so past MAX_SEGMENTS the
 * index is retrained whole (the build times above; searches go on meanwhile).
 */
export const REFRESH_FRACTION = 0.1;
export const MAX_SEGMENTS = 5;
/** Fragments smaller than LanceDB's target pile up with each upsert batch; compact past this. */
export const MAX_SMALL_FRAGMENTS = 16;

export const bruteForceRows = (dimensions: number): number =>
  Math.max(MIN_INDEX_ROWS, Math.ceil(BRUTE_FORCE_BUDGET / dimensions));

export interface IndexState {
  rows: number;
  dimensions: number;
  /** null: no vector index yet */
  index: { unindexed: number; segments: number } | null;
  smallFragments: number;
}

export type IndexAction = 'none' | 'compact' | 'create' | 'refresh' | 'rebuild';

/** Pure decision, so the policy is testable without building anything. */
export function planIndexWork(s: IndexState): IndexAction {
  const threshold = bruteForceRows(s.dimensions);
  if (!s.index) {
    if (s.rows >= threshold) return 'create';
    return s.smallFragments > MAX_SMALL_FRAGMENTS ? 'compact' : 'none';
  }
  const limit = Math.max(64, Math.min(REFRESH_FRACTION * s.rows, threshold / 4));
  if (s.index.unindexed >= limit) return s.index.segments >= MAX_SEGMENTS ? 'rebuild' : 'refresh';
  return s.smallFragments > MAX_SMALL_FRAGMENTS ? 'compact' : 'none';
}
