// Recall at scale: embedding throughput of the worker, then hybrid and full-text recall latency
// through the REST API of a server in its own process. Run: N=100000 npm run bench:recall
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { ensureGloveTable, gloveTablePath } from '../src/search/embeddings/glove-convert.js';
import { maintainIndex } from '../src/search/vectors/maintain-index.js';
import { corpusOptionsFromEnv, syntheticQueries } from './support/corpus.js';
import { benchHome } from './support/home.js';
import { assertBuilt, startServer } from './support/processes.js';
import { machineLine, markdownTable, summarize } from './support/report.js';

const N = Number(process.env.N ?? 100_000);
const Q = Number(process.env.Q ?? 500);
const WARMUP = Number(process.env.WARMUP ?? 50);
assertBuilt();
const corpus = corpusOptionsFromEnv();
const bench = await benchHome(N, corpus);
try {
  const cache = join(tmpdir(), 'helix-bench-glove-cache');
  mkdirSync(cache, { recursive: true });
  await ensureGloveTable({ modelsDir: cache });
  mkdirSync(join(bench.home, 'models'), { recursive: true });
  copyFileSync(gloveTablePath(cache), gloveTablePath(join(bench.home, 'models')));

  // 1. embed every node (the worker, in this process) and build the ANN index
  const app = createApp(
    loadConfig({
      home: bench.home,
      env: {},
      flags: { 'embedding.provider': 'glove', 'embedding.batch_size': 512 },
    }),
    {
      logger: silentLogger(),
    },
  );
  await app.search.start();
  const t0 = performance.now();
  const drained = await app.search.worker!.drain();
  await app.search.worker!.runBatch();
  const embedS = (performance.now() - t0) / 1000;
  const t1 = performance.now();
  const index = await maintainIndex(
    await app.search.store!.tableFor(app.search.selection!.provider),
    app.ctx.logger,
  );
  const indexS = (performance.now() - t1) / 1000;
  await app.shutdown();

  // 2. recall through the API, one request at a time, after a warm-up; once with exact BM25
  // candidates and once with the default conjunctive-first candidates (decision 0008)
  const queries = syntheticQueries(Q + WARMUP, corpus, 3);
  const rows: string[][] = [];
  const answers = new Map<string, string[][]>();
  for (const mode of ['exact', 'conjunctive_first'] as const) {
    const server = await startServer(bench.home, {
      ...process.env,
      HELIX_EMBEDDING_PROVIDER: 'glove',
      HELIX_SEARCH_FULLTEXT_CANDIDATES: mode,
      HELIX_SERVER_GRPC_PORT: '0',
    });
    try {
      for (const strategy of ['fulltext', 'hybrid'] as const) {
        const times: number[] = [];
        const ids: string[][] = [];
        let notices = 0;
        for (const [i, text] of queries.entries()) {
          const start = performance.now();
          const res = await fetch(`${server.url}/api/v1/recall`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ text, strategy, limit: 10 }),
          });
          const body = (await res.json()) as { notices?: string[]; results: { node: { id: string } }[] };
          if (i >= WARMUP) {
            times.push(performance.now() - start);
            ids.push(body.results.map((r) => r.node.id));
          }
          if (body.notices?.length) notices++;
        }
        answers.set(`${mode} ${strategy}`, ids);
        const s = summarize(times);
        rows.push([
          `recall ${strategy}, ${mode} (REST)`,
          String(s.n),
          s.p50.toFixed(2),
          s.p90.toFixed(2),
          s.p99.toFixed(2),
          String(notices),
        ]);
      }
    } finally {
      await server.stop();
    }
  }
  const overlap = (strategy: string) => {
    const exact = answers.get(`exact ${strategy}`)!;
    const fast = answers.get(`conjunctive_first ${strategy}`)!;
    let sum = 0;
    for (const [i, want] of exact.entries()) {
      const got = new Set(fast[i]);
      sum += want.length ? want.filter((id) => got.has(id)).length / want.length : 1;
    }
    return (sum / exact.length).toFixed(3);
  };
  console.log(`## Recall at ${N.toLocaleString('en')} nodes (glove)\n`);
  console.log(`command: \`N=${N} Q=${Q} npm run bench:recall\`\n${machineLine()}\n`);
  console.log(
    `embedding: ${drained.embedded.toLocaleString('en')} nodes in ${embedS.toFixed(1)} s = ${Math.round(drained.embedded / embedS).toLocaleString('en')} nodes/s (worker: glove + LanceDB upsert); ANN index ${index.action} in ${indexS.toFixed(1)} s\n`,
  );
  console.log(markdownTable(['run', 'queries', 'p50 ms', 'p90 ms', 'p99 ms', 'answers with a notice'], rows));
  console.log(
    `\noverlap@10 of conjunctive-first with exact candidates: fulltext ${overlap('fulltext')}, hybrid ${overlap('hybrid')}`,
  );
  console.log('\ntargets: hybrid p50 ≤ 20 ms, p99 ≤ 60 ms');
} finally {
  bench.cleanup();
}
