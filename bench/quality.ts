// Search quality on public IR test collections (../shared/data/ir), through Helix's own import,
// embedding and recall paths. Run: npm run bench:quality [-- cranfield cisi adi]
// EMBEDDERS=glove,hash picks the embedders (default glove,hash).
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { stableId } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { validate } from '../src/core/validate.js';
import { importRecords } from '../src/knowledge/transfer/import.js';
import { ensureGloveTable, gloveTablePath } from '../src/search/embeddings/glove-convert.js';
import { RecallBody } from '../src/search/recall/schema.js';
import { recall } from '../src/search/recall/service.js';
import { loadCollection } from './ir/collections.js';
import { type Scores, scoreRun } from './ir/metrics.js';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['cranfield', 'cisi', 'adi'];
const embedders = (process.env.EMBEDDERS ?? 'glove,hash').split(',');
const fmt = (s: Scores) =>
  [s.ndcg10, s.ndcg20, s.ndcg20Binary, s.map, s.p10, s.recall100].map((v) => v.toFixed(3)).join(' | ');

// the GloVe table is built once and copied into each fresh home
const cache = join(tmpdir(), 'helix-bench-glove-cache');
mkdirSync(cache, { recursive: true });
if (embedders.includes('glove')) await ensureGloveTable({ modelsDir: cache });

interface Run {
  label: string;
  body: Record<string, unknown>;
  flags?: Record<string, unknown>;
}
const runs: Run[] = [
  { label: 'fulltext', body: { strategy: 'fulltext', rewrite: 'none' } },
  { label: 'fulltext + expand', body: { strategy: 'fulltext', rewrite: 'expand' } },
  { label: 'vector', body: { strategy: 'vector', rewrite: 'none' } },
  { label: 'hybrid (auto weights)', body: { strategy: 'hybrid', rewrite: 'none' } },
  {
    label: 'hybrid RRF k=60',
    body: { strategy: 'hybrid', rewrite: 'none' },
    flags: {
      'search.fusion': 'rrf',
      'search.fusion_weights': 'config',
      'search.vector_weight': 1,
      'search.fulltext_weight': 1,
    },
  },
  {
    label: 'hybrid 0.6/0.4 (reference)',
    body: { strategy: 'hybrid', rewrite: 'none' },
    flags: { 'search.fusion_weights': 'config' },
  },
  { label: 'hybrid + expand', body: { strategy: 'hybrid', rewrite: 'expand' } },
  // what a recall with no options gets: the configured defaults (query_rewrite = auto, decision 0012)
  { label: 'fulltext (defaults)', body: { strategy: 'fulltext' } },
  { label: 'hybrid (defaults)', body: { strategy: 'hybrid' } },
];

const rows: string[] = [];
for (const name of names) {
  const collection = loadCollection(name);
  if (!collection) {
    console.error(`skipping ${name}: ../shared/data/ir/${name} is not there`);
    continue;
  }
  for (const embedder of embedders) {
    for (const run of runs) {
      if (embedder !== embedders[0] && !run.label.includes('vector') && !run.label.includes('hybrid'))
        continue;
      const home = mkdtempSync(join(tmpdir(), `helix-quality-${name}-`));
      if (embedder === 'glove') {
        mkdirSync(join(home, 'models'), { recursive: true });
        copyFileSync(gloveTablePath(cache), gloveTablePath(join(home, 'models')));
      }
      const flags = { 'embedding.provider': embedder, 'graph.graph_boost_factor': 0, ...run.flags };
      const app = createApp(loadConfig({ home, env: {}, flags }), { logger: silentLogger() });
      const docOf = new Map<string, string>();
      const records = collection.docs.map((d) => {
        const id = stableId(`ir:${name}:${d.id}`);
        docOf.set(id, d.id);
        return { type: 'node', id, kind: 'fact', title: d.title || null, content: d.text };
      });
      await importRecords(app.ctx, records);
      await app.search.start();
      await app.search.worker!.drain();
      await app.search.worker!.runBatch();
      const ranked = new Map<string, string[]>();
      const t0 = performance.now();
      for (const q of collection.queries) {
        const r = await recall(
          app.ctx,
          validate(RecallBody, { text: q.text, limit: 100, min_score: 0, ...run.body }),
          app.search.vectors(),
        );
        ranked.set(
          q.id,
          r.results.map((x) => docOf.get(x.node.id)!),
        );
      }
      const ms = (performance.now() - t0) / collection.queries.length;
      rows.push(
        `| ${name} | ${embedder} | ${run.label} | ${fmt(scoreRun(ranked, collection.qrels))} | ${ms.toFixed(1)} |`,
      );
      console.error(rows[rows.length - 1]);
      await app.shutdown();
      rmSync(home, { recursive: true, force: true });
    }
  }
}

console.log(
  '| collection | embedder | run | nDCG@10 | nDCG@20 | nDCG@20 (binary) | MAP@100 | P@10 | Recall@100 | ms/query |',
);
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
