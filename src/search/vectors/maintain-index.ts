import { Index, type Table } from '@lancedb/lancedb';
import type { Logger } from '../../core/logger.js';
import { HNSW, type IndexAction, type IndexState, planIndexWork } from './index-policy.js';
import type { VectorTable } from './vector-table.js';

export interface IndexReport {
  action: IndexAction;
  rows: number;
  /** rows LanceDB still scans by brute force, before the action */
  unindexed: number;
  segments: number;
  ms: number;
}

export const VECTOR_INDEX = 'vector_idx';
/**
 * Scalar indexes make the prefilters cheap: `namespace IN (…)` over a bitmap, `node_id IN (…)`
 * (candidate restriction, hashes, the mergeInsert join) over a btree. At 100k rows they took
 * 70 ms to build and cut a 10%-namespace ANN query from 19 to 13 ms, a 300-id one from 22 to 14.
 */
const SCALAR_INDEXES = [
  { column: 'node_id', name: 'node_id_idx', config: () => Index.btree() },
  { column: 'namespace', name: 'namespace_idx', config: () => Index.bitmap() },
] as const;
/** Old versions outlive any query by far after ten minutes; keeping days of them only costs disk. */
const KEEP_VERSIONS_MS = 10 * 60_000;

const inFlight = new WeakMap<VectorTable, Promise<IndexReport>>();

/**
 * Builds or refreshes the table's ANN index as `planIndexWork` decides. Meant for a background
 * job (after each drained embedding batch, or on a timer): cheap when there is nothing to do (a
 * few metadata reads), and concurrent calls for one table share one run. Searches and upserts go
 * on meanwhile: LanceDB commits the new index as a new version; rows written during a build stay
 * unindexed (scanned exactly) until the next call.
 */
export function maintainIndex(table: VectorTable, logger?: Logger): Promise<IndexReport> {
  const running = inFlight.get(table);
  if (running) return running;
  const run = table.guard('index', () => runMaintenance(table, logger)).finally(() => inFlight.delete(table));
  inFlight.set(table, run);
  return run;
}

export async function indexState(table: VectorTable): Promise<IndexState> {
  const lance = table.lance;
  const [rows, stats, indices] = await Promise.all([lance.countRows(), lance.stats(), lance.listIndices()]);
  const vector = indices.find((i) => i.columns.includes('vector'));
  const vstats = vector ? await lance.indexStats(vector.name) : undefined;
  return {
    rows,
    dimensions: table.space.dimensions,
    index: vstats ? { unindexed: vstats.numUnindexedRows, segments: vstats.numIndices ?? 1 } : null,
    smallFragments: stats.fragmentStats.numSmallFragments,
  };
}

async function runMaintenance(table: VectorTable, logger?: Logger): Promise<IndexReport> {
  const started = performance.now();
  const state = await indexState(table);
  const action = planIndexWork(state);
  const lance = table.lance;
  const cleanupOlderThan = new Date(Date.now() - KEEP_VERSIONS_MS);
  if (action === 'create' || action === 'rebuild') {
    // Compact first. Compaction later merges the small fragments the index covers and must
    // remap the index onto the rewritten rows: at 40k rows that refresh took 8–12 s when the
    // index was built over 5k-row upsert fragments, 1.3 s when built over compacted ones.
    await lance.optimize({ cleanupOlderThan });
    await lance.createIndex('vector', {
      name: VECTOR_INDEX,
      replace: true,
      config: Index.hnswSq({ distanceType: 'cosine', ...HNSW }),
    });
    await ensureScalarIndexes(lance);
  } else if (action === 'refresh' || action === 'compact') {
    // compaction, delta index segments for new rows (vector and scalar), old version cleanup
    await lance.optimize({ cleanupOlderThan });
  }
  const report: IndexReport = {
    action,
    rows: state.rows,
    unindexed: state.index?.unindexed ?? state.rows,
    segments: state.index?.segments ?? 0,
    ms: Math.round(performance.now() - started),
  };
  if (action !== 'none') logger?.info({ table: table.name, ...report }, 'vector index maintained');
  return report;
}

async function ensureScalarIndexes(lance: Table): Promise<void> {
  const existing = new Set((await lance.listIndices()).map((i) => i.name));
  for (const s of SCALAR_INDEXES) {
    if (!existing.has(s.name)) await lance.createIndex(s.column, { name: s.name, config: s.config() });
  }
}
