import { readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { silentLogger } from '../../core/logger.js';
import { isVectorStoreUnavailable, type VectorStoreUnavailable } from './errors.js';
import { tableNameFor } from './space.js';
import { openVectorStore } from './store.js';
import { leaning, type TempStore, tempStore } from './testing.js';

const space = { id: 'hash:test:8', dimensions: 8 };
const tableDir = (t: TempStore) => join(t.path, `${tableNameFor(space)}.lance`);
const files = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? files(join(dir, e.name)) : [join(dir, e.name)],
  );

/** What recall does with a failure: a typed 503 it can turn into "full text only". */
async function failure(p: Promise<unknown>): Promise<VectorStoreUnavailable> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  if (!isVectorStoreUnavailable(err)) throw new Error(`expected VectorStoreUnavailable, got ${String(err)}`);
  expect(err.code).toBe('unavailable');
  expect(err.status).toBe(503);
  return err;
}

let t: TempStore;
beforeEach(async () => {
  t = await tempStore();
  const table = await t.store.tableFor(space);
  const rows = (from: number) =>
    Array.from({ length: 20 }, (_, i) => ({
      node_id: `n${from + i}`,
      namespace: 'default',
      content_hash: 'h',
      vector: leaning(8, (from + i) / 50),
    }));
  await table.upsert(rows(0));
  await table.upsert(rows(20)); // two data files
});
afterEach(() => t.dispose());

/** After any failure, `rebuild` gives an empty table that a reindex can fill and search again. */
async function rebuildWorks(): Promise<void> {
  const fresh = await t.store.rebuild(space);
  expect(await fresh.count()).toBe(0);
  await fresh.upsert([{ node_id: 'back', namespace: 'default', content_hash: 'h', vector: leaning(8, 0) }]);
  expect((await fresh.search(leaning(8, 0), { k: 1 })).map((h) => h.node_id)).toEqual(['back']);
}

describe('a damaged vector folder never crashes Helix', () => {
  it('garbage in the data files: search fails typed (corrupt), other spaces keep working', async () => {
    const other = await t.store.tableFor({ id: 'glove:sg:4', dimensions: 4 });
    await other.upsert([{ node_id: 'x', namespace: 'default', content_hash: 'h', vector: [1, 0, 0, 0] }]);
    for (const f of files(join(tableDir(t), 'data'))) writeFileSync(f, 'garbage'.repeat(64));
    const table = await t.store.tableFor(space);
    expect((await failure(table.search(leaning(8, 0), { k: 5 }))).reason).toBe('corrupt');
    // a fresh process sees the same, and still opens the store
    const again = await openVectorStore(t.path, silentLogger());
    await failure((await again.tableFor(space)).search(leaning(8, 0), { k: 5 }));
    expect(await (await again.tableFor({ id: 'glove:sg:4', dimensions: 4 })).count()).toBe(1);
    again.close();
    expect(await other.search([1, 0, 0, 0], { k: 1 })).toHaveLength(1);
    await rebuildWorks();
  });

  it('a deleted data file: search fails typed (missing)', async () => {
    unlinkSync(files(join(tableDir(t), 'data'))[0]!);
    const table = await t.store.tableFor(space);
    expect((await failure(table.search(leaning(8, 0), { k: 5 }))).reason).toBe('missing');
    await rebuildWorks();
  });

  it('garbage manifests: the table cannot be opened (typed), is listed as broken, and rebuilds', async () => {
    for (const f of files(join(tableDir(t), '_versions'))) writeFileSync(f, 'garbage');
    const again = await openVectorStore(t.path, silentLogger());
    await failure(again.tableFor(space));
    const [listed] = await again.listSpaces();
    expect(listed?.error).toMatch(/vector store/);
    const fresh = await again.rebuild(space);
    expect(await fresh.count()).toBe(0);
    again.close();
  });

  it('the whole folder deleted while running: a typed failure, then an empty table to refill', async () => {
    const table = await t.store.tableFor(space);
    rmSync(t.path, { recursive: true, force: true });
    await failure(table.search(leaning(8, 0), { k: 5 }));
    // the failed handle was dropped: the next use recreates the folder and an empty table
    const recreated = await t.store.tableFor(space);
    expect(recreated).not.toBe(table);
    expect(await recreated.count()).toBe(0);
  });

  it('a folder that cannot be a folder: openVectorStore fails typed (io)', async () => {
    const file = join(t.dir, 'not-a-folder');
    writeFileSync(file, 'x');
    expect((await failure(openVectorStore(file, silentLogger()))).reason).toBe('io');
    expect((await failure(openVectorStore(join(file, 'below'), silentLogger()))).reason).toBe('io');
  });

  it('rebuildAll starts over from an empty folder', async () => {
    for (const f of files(t.path)) writeFileSync(f, 'garbage');
    await t.store.rebuildAll();
    expect(await t.store.listSpaces()).toEqual([]);
    await rebuildWorks();
  });
});
