/**
 * Embedding throughput of the offline embedders on short texts (issue 3: `glove` ≥ 10,000 short
 * texts/s, table loaded in well under a second, ≤ 200 MB resident). The texts are real: titles and
 * the queries of the IR collections in ../shared/data/ir (3–30 words), repeated to N. The hash
 * embedder runs in the same process as the baseline. Command: `npm run bench:embed`
 */
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureGloveTable } from '../src/search/embeddings/glove-convert.js';
import { GloveTable } from '../src/search/embeddings/glove-table.js';
import { GloveEmbedder } from '../src/search/embeddings/glove.js';
import { HashEmbedder } from '../src/search/embeddings/hash.js';
import type { EmbeddingProvider } from '../src/search/embeddings/provider.js';
import { loadCollection } from './ir/collections.js';
import { fmt, fmtInt, markdownTable, mib, printHeader, setting, verdict } from './support/report.js';

const N = setting('N', 50_000);
printHeader('Embedding throughput on short texts', 'embed.ts', { N });

const real: string[] = [];
for (const name of ['cranfield', 'cisi', 'adi']) {
  const c = loadCollection(name);
  if (!c) continue;
  for (const d of c.docs) if (d.title.trim()) real.push(d.title);
  for (const q of c.queries) real.push(q.text);
}
if (real.length === 0) throw new Error('no IR collection found under ../shared/data/ir');
const texts = Array.from({ length: N }, (_, i) => real[i % real.length]!);
const words = texts.reduce((n, t) => n + t.split(/\s+/).length, 0) / texts.length;

const cache = join(tmpdir(), 'helix-bench-glove-cache');
mkdirSync(cache, { recursive: true });
const { path } = await ensureGloveTable({ modelsDir: cache });
const rss0 = process.memoryUsage().rss;
const t0 = performance.now();
const table = GloveTable.load(path);
const loadMs = performance.now() - t0;
const tableRss = process.memoryUsage().rss - rss0;

async function rate(e: EmbeddingProvider): Promise<number> {
  await e.embed(texts.slice(0, 2000));
  const runs: number[] = [];
  for (let r = 0; r < 3; r++) {
    const s = performance.now();
    await e.embed(texts);
    runs.push(texts.length / ((performance.now() - s) / 1000));
  }
  return runs.sort((a, b) => a - b)[1]!;
}
const glove = await rate(new GloveEmbedder(table));
const hash = await rate(new HashEmbedder(384));

console.log(
  markdownTable(
    ['embedder', 'texts/s (median of 3)', 'vs hash'],
    [
      ['glove (sg-100d, IDF-weighted mean)', fmtInt(glove), fmt(glove / hash)],
      ['hash (384, baseline)', fmtInt(hash), '1.00'],
    ],
  ),
);
console.log(
  `\n${fmtInt(texts.length)} texts of ${fmt(words, 1)} words on average (${fmtInt(real.length)} distinct: IR titles and queries)`,
);
console.log(
  `glove table: loaded in ${fmt(loadMs, 0)} ms, +${mib(tableRss)} resident (process ${mib(process.memoryUsage().rss)})`,
);
console.log(
  `\ntargets: glove ≥ 10,000 texts/s ${verdict(glove >= 10_000)}; load < 1 s ${verdict(loadMs < 1000)}; ≤ 200 MB ${verdict(tableRss <= 200 * 2 ** 20)}`,
);
