// Search quality on public IR test collections (../shared/data/ir), through Helix's own import
// and search paths. Run: node --import tsx bench/quality.ts [cranfield cisi adi]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { stableId } from '../src/core/ids.js';
import { silentLogger } from '../src/core/logger.js';
import { importRecords } from '../src/knowledge/transfer/import.js';
import { searchFulltext } from '../src/search/fulltext/service.js';
import { loadCollection } from './ir/collections.js';
import { type Scores, scoreRun } from './ir/metrics.js';

const names = process.argv.slice(2).length ? process.argv.slice(2) : ['cranfield', 'cisi', 'adi'];
const rows: string[] = [];
const fmt = (s: Scores) =>
  [s.ndcg10, s.ndcg20, s.ndcg20Binary, s.map, s.p10, s.recall100].map((v) => v.toFixed(3)).join(' | ');

for (const name of names) {
  const collection = loadCollection(name);
  if (!collection) {
    console.error(`skipping ${name}: ../shared/data/ir/${name} is not there`);
    continue;
  }
  const home = mkdtempSync(join(tmpdir(), `helix-quality-${name}-`));
  const app = createApp(loadConfig({ home, env: { ...process.env, HELIX_HOME: home } }), {
    logger: silentLogger(),
  });
  const docOf = new Map<string, string>();
  const records = collection.docs.map((d) => {
    const id = stableId(`ir:${name}:${d.id}`);
    docOf.set(id, d.id);
    return { type: 'node', id, kind: 'fact', title: d.title || null, content: d.text };
  });
  const t0 = performance.now();
  const summary = await importRecords(app.ctx, records);
  const importMs = performance.now() - t0;
  if (summary.failed) throw new Error(`${name}: ${summary.failed} documents failed to import`);

  const runs = new Map<string, string[]>();
  const t1 = performance.now();
  for (const q of collection.queries) {
    const { results } = searchFulltext(app.ctx, { q: q.text, limit: 100 });
    runs.set(
      q.id,
      results.map((r) => docOf.get(r.node.id)!),
    );
  }
  const perQuery = (performance.now() - t1) / collection.queries.length;
  const scores = scoreRun(runs, collection.qrels);
  rows.push(
    `| ${name} | fulltext (BM25) | ${fmt(scores)} | ${collection.docs.length} docs, ${collection.queries.length} queries, import ${importMs.toFixed(0)} ms, ${perQuery.toFixed(2)} ms/query |`,
  );
  app.close();
  rmSync(home, { recursive: true, force: true });
}

console.log(
  '| collection | run | nDCG@10 | nDCG@20 | nDCG@20 (binary) | MAP@100 | P@10 | Recall@100 | notes |',
);
console.log('|---|---|---|---|---|---|---|---|---|');
for (const r of rows) console.log(r);
