import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureGloveTable, gloveTablePath, preprocessRows } from './glove-convert.js';
import { encodeGloveTable, GloveTable } from './glove-table.js';
import { GloveEmbedder, rankIdf } from './glove.js';
import { winkJson } from '../../testing/wink-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'helix-glove-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

// one-hot rows, so every sentence vector can be written down by hand
const WORDS = ['the', 'cat', 'dog', 'finance', 'naive', 'budget'];
const oneHot = (i: number) => WORDS.map((_, j) => (i === j ? 1 : 0));
const table = GloveTable.fromBuffer(
  encodeGloveTable({
    dimensions: WORDS.length,
    words: WORDS,
    vectors: Float32Array.from(WORDS.flatMap((_, i) => oneHot(i))),
  }),
);
const w = (row: number) => rankIdf(row, WORDS.length);
const unit = (v: number[]) => v.map((x) => x / Math.hypot(...v));
const close = (a: Float32Array, b: number[]) => {
  for (const [i, x] of a.entries()) expect(x).toBeCloseTo(b[i]!, 5);
};

describe('GloveEmbedder', () => {
  const g = new GloveEmbedder(table);

  it('averages known words weighted by IDF, skipping stop words and unknown words', () => {
    expect(g.id).toBe(`glove:sg-100d:${WORDS.length}`);
    close(g.embedText('The cat, the DOG and a zebra!'), unit([0, w(1), w(2), 0, 0, 0]));
    close(g.embedText('cat cat dog'), unit([0, 2 * w(1), w(2), 0, 0, 0]));
  });

  it('gives the zero vector when nothing is known', async () => {
    const [empty, unknown] = await g.embed(['', 'zebra quokka']);
    expect(Array.from(empty!)).toEqual(new Array(WORDS.length).fill(0));
    expect(Array.from(unknown!)).toEqual(new Array(WORDS.length).fill(0));
  });

  it('falls back to the unaccented spelling', () => {
    close(g.embedText('naïve'), oneHot(4));
  });

  it('blends the vault IDF with the rank prior (geometric mean) and ignores unknown terms', () => {
    const vault = new GloveEmbedder(table, { idf: { idf: (t) => (t === 'cat' ? 4 : undefined) } });
    close(vault.embedText('cat dog'), unit([0, Math.sqrt(4 * w(1)), w(2), 0, 0, 0]));
    vault.useIdf(undefined);
    close(vault.embedText('cat dog'), unit([0, w(1), w(2), 0, 0, 0]));
  });

  it('derives IDF from frequency rank: near 0 for the commonest word, rising with rank', () => {
    expect(rankIdf(0, 341_479)).toBeLessThan(0.01);
    expect(rankIdf(99, 341_479)).toBeCloseTo(2.6, 0);
    expect(rankIdf(99_999, 341_479)).toBeGreaterThan(9);
    for (let r = 1; r < 1000; r += 37) expect(rankIdf(r, 341_479)).toBeGreaterThan(rankIdf(r - 1, 341_479));
  });
});

describe('preprocessRows', () => {
  it('leaves unit rows with the common mean removed', () => {
    const dims = 8;
    const v = Float32Array.from({ length: 64 * dims }, (_, i) => 3 + Math.sin(i * 1.7));
    preprocessRows(v, dims);
    const mean = new Array(dims).fill(0);
    for (let r = 0; r < 64; r++) {
      const row = v.subarray(r * dims, (r + 1) * dims);
      expect(Math.hypot(...row)).toBeCloseTo(1, 5);
      row.forEach((x, d) => {
        mean[d] += x / 64;
      });
    }
    // before: every row pointed the same way (all components ≈ 3); after: no shared direction dominates
    expect(Math.hypot(...mean)).toBeLessThan(0.5);
  });
});

describe('ensureGloveTable', () => {
  const source = join(dir, 'wink.json');
  writeFileSync(
    source,
    winkJson(
      WORDS,
      WORDS.map((_, i) => [...oneHot(i), 0.5]),
    ),
  );

  it('builds the table once (concurrent callers share it) and then uses the cached file', async () => {
    const modelsDir = join(dir, 'models');
    const [a, b] = await Promise.all([
      ensureGloveTable({ modelsDir, source }),
      ensureGloveTable({ modelsDir, source }),
    ]);
    expect(a.built?.words).toBe(WORDS.length);
    expect(b.built).toBe(a.built);
    expect(existsSync(gloveTablePath(modelsDir))).toBe(true);
    const again = await ensureGloveTable({ modelsDir, source });
    expect(again).toEqual({ path: gloveTablePath(modelsDir) });
    const loaded = new GloveEmbedder(GloveTable.load(again.path));
    expect(loaded.dimensions).toBe(WORDS.length + 1);
    expect(loaded.table.lookup('finance')).toBe(3);
  });

  it('rebuilds a damaged table and says so when there is nothing to build from', async () => {
    const modelsDir = join(dir, 'damaged');
    await ensureGloveTable({ modelsDir, source });
    writeFileSync(gloveTablePath(modelsDir), 'garbage');
    expect((await ensureGloveTable({ modelsDir, source })).built).toBeDefined();
    await expect(
      ensureGloveTable({ modelsDir: join(dir, 'none'), source: join(dir, 'absent.json') }),
    ).rejects.toMatchObject({
      code: 'unavailable',
    });
  });
});
