import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bruteForceRows } from './index-policy.js';
import { indexState, maintainIndex } from './maintain-index.js';
import { clusteredVectors, recallAt } from './synthetic.js';
import { type TempStore, tempStore } from './testing.js';
import type { VectorTable } from './vector-table.js';

/**
 * Real LanceDB, real HNSW build, at a size that keeps the file under a minute on two busy cores;
 * `bench/vectors.ts` measures the same at 100k rows.
 */
const DIMS = 100;
const ROWS = 20_000;
const QUERIES = 40;
const gen = clusteredVectors({ dimensions: DIMS, clusters: 200, seed: 7 });
const rowsFrom = (start: number, n: number) =>
  Array.from({ length: n }, (_, i) => ({
    node_id: `n${start + i}`,
    namespace: (start + i) % 10 === 0 ? 'team' : 'default',
    content_hash: `h${start + i}`,
    vector: gen.next(),
  }));
const ids = (hits: { node_id: string }[]) => hits.map((h) => h.node_id);

let t: TempStore;
let table: VectorTable;
beforeAll(async () => {
  t = await tempStore();
  table = await t.store.tableFor({ id: 'synthetic:clustered:100', dimensions: DIMS });
  await table.upsert(rowsFrom(0, ROWS));
});
afterAll(() => t.dispose());

describe('maintainIndex', () => {
  it('builds an HNSW_SQ index past the brute force budget whose top-10 recall stays ≥ 0.95', async () => {
    expect(ROWS).toBeGreaterThan(bruteForceRows(DIMS));
    const [first, shared] = [maintainIndex(table), maintainIndex(table)];
    expect(shared).toBe(first); // one build per table at a time
    expect((await first).action).toBe('create');
    const state = await indexState(table);
    expect(state.index).toEqual({ unindexed: 0, segments: 1 });
    expect((await table.lance.listIndices()).map((i) => i.indexType).sort()).toEqual(
      ['BTree', 'Bitmap', 'IvfHnswSq'].sort(),
    );

    let recall = 0;
    let filteredRecall = 0;
    for (let i = 0; i < QUERIES; i++) {
      const q = gen.query();
      const exact = ids(await table.search(q, { k: 10, exact: true }));
      recall += recallAt(ids(await table.search(q, { k: 10 })), exact) / QUERIES;
      const team = await table.search(q, { k: 10, namespaces: ['team'] });
      expect(team).toHaveLength(10);
      expect(team.every((h) => Number(h.node_id.slice(1)) % 10 === 0)).toBe(true);
      filteredRecall +=
        recallAt(ids(team), ids(await table.search(q, { k: 10, namespaces: ['team'], exact: true }))) /
        QUERIES;
    }
    expect(recall).toBeGreaterThanOrEqual(0.95);
    expect(filteredRecall).toBeGreaterThanOrEqual(0.95);

    // candidate restriction through the graph (long list) matches exact scoring of the same ids
    const q = gen.query();
    const nodeIds = Array.from({ length: 300 }, (_, j) => `n${j * 61}`);
    const viaIndex = await table.search(q, { k: 10, nodeIds });
    expect(viaIndex.every((h) => nodeIds.includes(h.node_id))).toBe(true);
    expect(
      recallAt(ids(viaIndex), ids(await table.search(q, { k: 10, nodeIds, exact: true }))),
    ).toBeGreaterThanOrEqual(0.9);
  });

  it('folds new and rewritten rows in with optimize() once they pass the refresh limit', async () => {
    expect((await maintainIndex(table)).action).toBe('none');
    await table.upsert(rowsFrom(ROWS, 1_000)); // 1,000 ≥ ¼ of the 6,000-row budget
    await table.upsert(rowsFrom(0, 600)); // rewritten rows leave the index too
    const before = await indexState(table);
    expect(before.index?.unindexed).toBe(1_600);
    expect((await maintainIndex(table)).action).toBe('refresh');
    const after = await indexState(table);
    expect(after.index).toEqual({ unindexed: 0, segments: 2 });
    expect(after.rows).toBe(ROWS + 1_000);
    // a rewritten row is found by its new vector, through the delta segment
    const moved = rowsFrom(ROWS + 5_000, 1)[0]!.vector;
    await table.upsert([{ node_id: 'n5', namespace: 'default', content_hash: 'h5b', vector: moved }]);
    expect(ids(await table.search(moved, { k: 1 }))).toEqual(['n5']);
  });
});
