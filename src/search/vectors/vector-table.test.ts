import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isHelixError } from '../../core/errors.js';
import { silentLogger } from '../../core/logger.js';
import { openVectorStore } from './store.js';
import { leaning, type TempStore, tempStore } from './testing.js';

const space = { id: 'hash:test:8', dimensions: 8 };
const row = (
  node_id: string,
  vector: Float32Array,
  namespace = 'default',
  content_hash = `h-${node_id}`,
) => ({
  node_id,
  namespace,
  content_hash,
  vector,
});

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
});
afterEach(() => t.dispose());

describe('vector table', () => {
  it('upserts by node_id: a second write replaces vector and hash, never duplicates', async () => {
    const table = await t.store.tableFor(space);
    expect(await table.upsert([row('a', leaning(8, 0.1)), row('b', leaning(8, 0.5))])).toEqual({
      inserted: 2,
      updated: 0,
    });
    // `a` moves away from the query axis; its hash follows
    expect(await table.upsert([row('a', leaning(8, 1.2), 'default', 'h-a2')])).toEqual({
      inserted: 0,
      updated: 1,
    });
    expect(await table.count()).toBe(2);
    expect(await table.hashes(['a', 'b', 'missing'])).toEqual(
      new Map([
        ['a', 'h-a2'],
        ['b', 'h-b'],
      ]),
    );
    const hits = await table.search(leaning(8, 0), { k: 5 });
    expect(hits.map((h) => h.node_id)).toEqual(['b', 'a']);
    expect(hits[0]!.score).toBeCloseTo(Math.cos(0.5), 5);
    expect(hits[0]!.distance).toBeCloseTo(1 - Math.cos(0.5), 5);
  });

  it('keeps the last row when one call repeats an id', async () => {
    const table = await t.store.tableFor(space);
    await table.upsert([
      row('a', leaning(8, 0.1), 'default', 'first'),
      row('a', leaning(8, 0.2), 'default', 'last'),
    ]);
    expect(await table.count()).toBe(1);
    expect((await table.hashes(['a'])).get('a')).toBe('last');
  });

  it('reports cosine similarity across its whole range', async () => {
    const table = await t.store.tableFor(space);
    await table.upsert([
      row('same', leaning(8, 0)),
      row('opposite', leaning(8, Math.PI)),
      row('zero', new Float32Array(8)),
    ]);
    const hits = await table.search(leaning(8, 0), { k: 10 });
    // the zero vector has no direction: it never matches
    expect(hits.map((h) => h.node_id)).toEqual(['same', 'opposite']);
    expect(hits[0]!.score).toBeCloseTo(1, 5);
    expect(hits[1]!.score).toBeCloseTo(-1, 5);
    expect(await table.search(new Float32Array(8), { k: 3 })).toEqual([]);
  });

  it('removes by node_id', async () => {
    const table = await t.store.tableFor(space);
    await table.upsert([
      row('a', leaning(8, 0.1)),
      row('b', leaning(8, 0.2)),
      row("o'quote", leaning(8, 0.3)),
    ]);
    expect(await table.remove(['a', "o'quote", 'never-stored'])).toBe(2);
    expect(await table.count()).toBe(1);
    expect((await table.search(leaning(8, 0), { k: 5 })).map((h) => h.node_id)).toEqual(['b']);
  });

  it('applies the namespace and candidate filters before the k limit', async () => {
    const table = await t.store.tableFor(space);
    const near = Array.from({ length: 30 }, (_, i) => row(`a${i}`, leaning(8, 0.01 * (i + 1)), 'A'));
    const far = Array.from({ length: 5 }, (_, i) => row(`b${i}`, leaning(8, 1 + 0.1 * i), 'B'));
    await table.upsert([...near, ...far]);
    const q = leaning(8, 0);
    expect((await table.search(q, { k: 5 })).every((h) => h.node_id.startsWith('a'))).toBe(true);
    const inB = await table.search(q, { k: 5, namespaces: ['B'] });
    expect(inB.map((h) => h.node_id)).toEqual(['b0', 'b1', 'b2', 'b3', 'b4']);
    const some = await table.search(q, { k: 5, nodeIds: ['b3', 'a29', 'zz'] });
    expect(some.map((h) => h.node_id)).toEqual(['a29', 'b3']);
    expect(await table.search(q, { k: 5, namespaces: ['A'], nodeIds: ['b3', 'a7'] })).toHaveLength(1);
    expect(await table.search(q, { k: 5, namespaces: [] })).toEqual([]);
  });

  it('refuses vectors of the wrong size or with non-finite values, as validation errors', async () => {
    const table = await t.store.tableFor(space);
    const wrong = await table.upsert([row('a', new Float32Array(4))]).catch((e: unknown) => e);
    expect(isHelixError(wrong) && wrong.code).toBe('validation_error');
    const nan = Float32Array.from([Number.NaN, 0, 0, 0, 0, 0, 0, 0]);
    await expect(table.search(nan, { k: 1 })).rejects.toThrow(/non-finite/);
    await expect(table.search(leaning(8, 0), { k: 0 })).rejects.toThrow(/k: /);
  });
});

describe('vector store spaces', () => {
  it('keeps one table per space, so two models never mix or clash on dimensions', async () => {
    const small = await t.store.tableFor({ id: 'glove:sg-100d:8', dimensions: 8 });
    const big = await t.store.tableFor({ id: 'openai:text-embedding-3-small:16', dimensions: 16 });
    await small.upsert([row('n1', leaning(8, 0.1)), row('n2', leaning(8, 0.2))]);
    await big.upsert([{ ...row('n1', leaning(16, 0.3)), content_hash: 'other' }]);
    expect([await small.count(), await big.count()]).toEqual([2, 1]);
    expect((await big.hashes(['n1'])).get('n1')).toBe('other');
    expect((await small.hashes(['n1'])).get('n1')).toBe('h-n1');
    const spaces = await t.store.listSpaces();
    expect(spaces.map((s) => [s.id, s.dimensions, s.rows]).sort()).toEqual([
      ['glove:sg-100d:8', 8, 2],
      ['openai:text-embedding-3-small:16', 16, 1],
    ]);
    await t.store.drop({ id: 'glove:sg-100d:8', dimensions: 8 });
    expect((await t.store.listSpaces()).map((s) => s.id)).toEqual(['openai:text-embedding-3-small:16']);
    expect(await (await t.store.tableFor({ id: 'glove:sg-100d:8', dimensions: 8 })).count()).toBe(0);
    expect(await big.count()).toBe(1);
  });

  it('hands out one handle per space and survives a reopen', async () => {
    const [a, b] = await Promise.all([t.store.tableFor(space), t.store.tableFor(space)]);
    expect(a).toBe(b);
    await a.upsert([row('x', leaning(8, 0.1))]);
    t.store.close();
    const again = await openVectorStore(t.path, silentLogger());
    expect(again.created).toBe(false);
    expect(await (await again.tableFor(space)).count()).toBe(1);
    again.close();
  });
});
