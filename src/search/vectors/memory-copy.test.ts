import { rmSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { isVectorStoreUnavailable } from './errors.js';
import { MemoryVectors } from './memory-index.js';
import { openVectorStore } from './store.js';
import { leaning, type TempStore, tempStore } from './testing.js';

const space = { id: 'hash:test:8', dimensions: 8 };
const row = (node_id: string, vector: Float32Array | number[], namespace = 'default') => ({
  node_id,
  namespace,
  content_hash: 'h',
  vector,
});

describe('MemoryVectors', () => {
  it('ranks exactly by cosine, whatever the stored norms, and applies both prefilters', () => {
    const m = new MemoryVectors(3);
    m.set('a', 'x', [1, 0, 0]);
    m.set('b', 'x', [10, 10, 0]); // 45°, long
    m.set('c', 'y', [0.1, 0, 0.01]);
    m.set('zero', 'x', [0, 0, 0]);
    const hits = m.search([2, 0, 0], { k: 10 });
    expect(hits.map((h) => h.node_id)).toEqual(['a', 'c', 'b']);
    expect(hits[2]!.score).toBeCloseTo(Math.SQRT1_2, 6);
    expect(m.search([1, 0, 0], { k: 10, namespaces: ['y'] }).map((h) => h.node_id)).toEqual(['c']);
    expect(m.search([1, 0, 0], { k: 10, nodeIds: ['b', 'zero', 'nope'] }).map((h) => h.node_id)).toEqual([
      'b',
    ]);
    expect(m.search([1, 0, 0], { k: 10, namespaces: ['none'] })).toEqual([]);
    expect(m.search([0, 0, 0], { k: 10 })).toEqual([]);
  });

  it('replaces, deletes and reuses slots across blocks, keeping the k best', () => {
    const m = new MemoryVectors(2);
    for (let i = 0; i < 9000; i++) m.set(`n${i}`, 'd', [Math.cos(i / 9000), Math.sin(i / 9000)]);
    expect(m.search([1, 0], { k: 3 }).map((h) => h.node_id)).toEqual(['n0', 'n1', 'n2']);
    m.delete('n0');
    m.set('n1', 'd', [0, 1]);
    m.set('new', 'd', [1, 0]);
    expect(m.size).toBe(9000);
    expect(m.search([1, 0], { k: 3 }).map((h) => h.node_id)).toEqual(['new', 'n2', 'n3']);
    expect(m.cost([1, 0])).toBe(9000);
    expect(m.cost([1, 0], ['a', 'b'])).toBe(2);
  });
});

describe('the in-memory copy of a vector table', () => {
  let t: TempStore;
  beforeEach(async () => {
    t = await tempStore();
  });
  afterEach(() => t.dispose());

  it('answers like LanceDB and sees this process’s writes at once', async () => {
    const table = await t.store.tableFor(space);
    await table.upsert(Array.from({ length: 30 }, (_, i) => row(`n${i}`, leaning(8, i / 20))));
    const fromLance = await table.search(leaning(8, 0.26), { k: 5 });
    expect(await table.memory.ready()).toBe(true);
    const fromMemory = await table.search(leaning(8, 0.26), { k: 5 });
    expect(fromMemory.map((h) => h.node_id)).toEqual(fromLance.map((h) => h.node_id));
    for (const [i, h] of fromMemory.entries()) expect(h.score).toBeCloseTo(fromLance[i]!.score, 5);
    await table.upsert([row('n5', leaning(8, 1.5)), row('fresh', leaning(8, 0.26))]);
    await table.remove(['n6']);
    expect(table.memory.use()).not.toBeNull();
    const after = (await table.search(leaning(8, 0.26), { k: 4 })).map((h) => h.node_id);
    expect(after).toEqual(['fresh', 'n4', 'n7', 'n3']);
  });

  it('reloads after a write by another process, and fails typed when the folder is gone', async () => {
    const mine = await openVectorStore(t.path, silentLogger(), { readConsistencySeconds: 0 });
    const table = await mine.tableFor(space);
    await table.upsert([row('a', leaning(8, 0.5))]);
    expect(await table.memory.ready()).toBe(true);
    const other = await openVectorStore(t.path, silentLogger());
    await (await other.tableFor(space)).upsert([row('b', leaning(8, 0.1))]);
    other.close();
    expect(table.memory.use()).toBeNull(); // the commit was seen: LanceDB answers while it reloads
    await table.memory.ready();
    expect((await table.search(leaning(8, 0), { k: 5 })).map((h) => h.node_id)).toEqual(['b', 'a']);
    expect(table.memory.use()).not.toBeNull();

    rmSync(t.path, { recursive: true, force: true });
    const err = await table.search(leaning(8, 0), { k: 5 }).catch((e: unknown) => e);
    expect(isVectorStoreUnavailable(err)).toBe(true);
    mine.close();
  });
});
