/**
 * Vector search in LanceDB, straight on the store (no HTTP): N clustered synthetic vectors
 * (src/search/vectors/synthetic.ts, shaped like GloVe averages) of 100 and of 384 dimensions.
 *
 * - upsert throughput (mergeInsert by node_id, 5k-row batches): fresh inserts, then overwrites
 * - brute force top-10 latency as the table fills: where it stops meeting 10 ms (the index threshold)
 * - `maintainIndex` build time (HNSW_SQ), then per query, interleaved so load from elsewhere lands
 *   on both alike: exact top-10 (the baseline, also the truth for recall) and indexed top-10 with
 *   refine 2 (the default), refine 1, a 10%-namespace prefilter and a 300-id candidate list
 * - IVF_PQ on the same rows for comparison when IVFPQ=1 (slow to build: minutes)
 *
 *   N=100000 Q=100 DIMS=100,384 node --import tsx bench/vectors.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Index } from '@lancedb/lancedb';
import { silentLogger } from '../src/core/logger.js';
import { maintainIndex, VECTOR_INDEX } from '../src/search/vectors/maintain-index.js';
import { openVectorStore } from '../src/search/vectors/store.js';
import { clusteredVectors, recallAt } from '../src/search/vectors/synthetic.js';
import type { SearchOptions, VectorTable } from '../src/search/vectors/vector-table.js';
import { fmt, fmtInt, markdownTable, printHeader, setting, summarize, verdict } from './support/report.js';

const N = setting('N', 100_000);
const Q = setting('Q', 100);
const IVFPQ = setting('IVFPQ', 0) > 0;
const DIMS = (process.env.DIMS ?? '100,384').split(',').map(Number);
const BATCH = 5_000;
const CHECKPOINTS = [1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000];
const CROSSOVER_QUERIES = 30;

const now = () => performance.now();
const ids = (hits: { node_id: string }[]) => hits.map((h) => h.node_id);

interface Variant {
  label: string;
  options: Omit<SearchOptions, 'k'>;
  /** a filter the exact baseline must share */
  filtered?: boolean;
  latencies: number[];
  recall: number;
}

async function benchDimension(dims: number) {
  const dir = mkdtempSync(join(tmpdir(), 'helix-bench-vectors-'));
  const store = await openVectorStore(join(dir, 'lancedb'), silentLogger());
  try {
    const table = await store.tableFor({ id: `synthetic:clustered:${dims}`, dimensions: dims });
    const gen = clusteredVectors({ dimensions: dims, clusters: 1_000, seed: 42 });
    const rowsFrom = (start: number, n: number) =>
      Array.from({ length: n }, (_, i) => ({
        node_id: `n${start + i}`,
        namespace: (start + i) % 10 === 0 ? 'team' : 'default',
        content_hash: `h${start + i}`,
        vector: gen.next(),
      }));
    const queries = Array.from({ length: Q }, () => gen.query());

    // ingest, measuring brute force at each checkpoint on the way
    const crossover: string[][] = [];
    let insertMs = 0;
    for (let n = 0; n < N; ) {
      const take = Math.min(BATCH, N - n, (CHECKPOINTS.find((c) => c > n) ?? N) - n);
      const rows = rowsFrom(n, take);
      const t0 = now();
      await table.upsert(rows);
      insertMs += now() - t0;
      n += take;
      if (CHECKPOINTS.includes(n) || n === N) {
        const lat: number[] = [];
        for (let i = 0; i < CROSSOVER_QUERIES; i++) {
          const t1 = now();
          await table.search(queries[i % Q]!, { k: 10, exact: true });
          lat.push(now() - t1);
        }
        const s = summarize(lat);
        crossover.push([fmtInt(n), fmt(s.p50), fmt(s.p99), verdict(s.p50 <= 10)]);
      }
    }
    const overwriteN = Math.min(10_000, N);
    let t0 = now();
    await table.upsert(rowsFrom(0, overwriteN));
    const overwriteMs = now() - t0;

    t0 = now();
    const built = await maintainIndex(table);
    const buildMs = now() - t0;

    const variants: Variant[] = [
      { label: 'indexed, refine 2 (default)', options: {}, latencies: [], recall: 0 },
      { label: 'indexed, refine 1 (no re-rank)', options: { refine: 1 }, latencies: [], recall: 0 },
      {
        label: 'indexed, namespace 10%',
        options: { namespaces: ['team'] },
        filtered: true,
        latencies: [],
        recall: 0,
      },
    ];
    const exact: number[] = [];
    for (const q of queries) {
      let t1 = now();
      const truth = ids(await table.search(q, { k: 10, exact: true }));
      exact.push(now() - t1);
      for (const v of variants) {
        const want = v.filtered ? ids(await table.search(q, { k: 10, exact: true, ...v.options })) : truth;
        t1 = now();
        const got = ids(await table.search(q, { k: 10, ...v.options }));
        v.latencies.push(now() - t1);
        v.recall += recallAt(got, want) / Q;
      }
    }
    const candidates = await candidateRestriction(table, queries, N);
    const ivfpq = IVFPQ ? await ivfPqComparison(table, queries, N, dims) : [];

    const e = summarize(exact);
    const main = variants[0]!;
    const m = summarize(main.latencies);
    return {
      dims,
      crossover,
      summary: [
        `${dims}`,
        fmtInt(N),
        fmt(e.p50),
        fmt(e.p99),
        fmt(m.p50),
        fmt(m.p99),
        fmt(main.recall, 3),
        fmt(buildMs / 1000, 1),
        fmtInt(N / (insertMs / 1000)),
        fmtInt(overwriteN / (overwriteMs / 1000)),
        verdict(built.action === 'create' && m.p50 <= 10 && main.recall >= 0.95),
      ],
      variants: [
        ['exact (brute force)', fmt(e.p50), fmt(e.p99), '1.000'],
        ...variants.map((v) => {
          const s = summarize(v.latencies);
          return [v.label, fmt(s.p50), fmt(s.p99), fmt(v.recall, 3)];
        }),
        candidates,
        ...ivfpq,
      ],
    };
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `nodeIds`: re-scoring 300 full-text candidates, as hybrid recall does. */
async function candidateRestriction(table: VectorTable, queries: Float32Array[], n: number) {
  const lat: number[] = [];
  let recall = 0;
  for (let i = 0; i < queries.length; i++) {
    const nodeIds = Array.from({ length: 300 }, (_, j) => `n${(i * 7_919 + j * 331) % n}`);
    const want = ids(await table.search(queries[i]!, { k: 10, nodeIds, exact: true }));
    const t1 = now();
    const got = ids(await table.search(queries[i]!, { k: 10, nodeIds }));
    lat.push(now() - t1);
    recall += recallAt(got, want) / queries.length;
  }
  const s = summarize(lat);
  return ['indexed, 300 candidate ids', fmt(s.p50), fmt(s.p99), fmt(recall, 3)];
}

/** The road not taken: IVF_PQ (√N partitions, 4 dims per sub-vector) on the same rows. */
async function ivfPqComparison(table: VectorTable, queries: Float32Array[], n: number, dims: number) {
  const t0 = now();
  await table.lance.createIndex('vector', {
    name: VECTOR_INDEX,
    replace: true,
    config: Index.ivfPq({
      distanceType: 'cosine',
      numPartitions: Math.round(Math.sqrt(n)),
      numSubVectors: dims / 4,
    }),
  });
  const buildS = (now() - t0) / 1000;
  const rows: string[][] = [];
  for (const refine of [2, 5]) {
    const lat: number[] = [];
    let recall = 0;
    for (const q of queries) {
      const want = ids(await table.search(q, { k: 10, exact: true }));
      const t1 = now();
      const got: { node_id: string }[] = await table.lance
        .vectorSearch(q)
        .distanceType('cosine')
        .limit(10)
        .nprobes(20)
        .refineFactor(refine)
        .select(['node_id', '_distance'])
        .toArray();
      lat.push(now() - t1);
      recall += recallAt(ids(got), want) / queries.length;
    }
    const s = summarize(lat);
    rows.push([
      `IVF_PQ nprobes 20, refine ${refine} (build ${fmt(buildS, 0)} s)`,
      fmt(s.p50),
      fmt(s.p99),
      fmt(recall, 3),
    ]);
  }
  return rows;
}

async function main() {
  printHeader('Vector search (LanceDB): exact vs HNSW_SQ top-10', 'vectors.ts', {
    N,
    Q,
    DIMS: DIMS.join(','),
    ...(IVFPQ ? { IVFPQ: 1 } : {}),
  });
  const results = [];
  for (const dims of DIMS) results.push(await benchDimension(dims));
  console.log(
    markdownTable(
      [
        'dims',
        'rows',
        'exact p50 ms',
        'exact p99 ms',
        'indexed p50 ms',
        'indexed p99 ms',
        'recall@10',
        'index build s',
        'insert rows/s',
        'overwrite rows/s',
        'target (≤10 ms p50, ≥0.95)',
      ],
      results.map((r) => r.summary),
    ),
  );
  for (const r of results) {
    console.log(`\n### ${r.dims} dims: search variants (top-10, ${Q} queries)\n`);
    console.log(markdownTable(['search', 'p50 ms', 'p99 ms', 'recall@10'], r.variants));
    console.log(`\n### ${r.dims} dims: brute force as the table fills (${CROSSOVER_QUERIES} queries)\n`);
    console.log(markdownTable(['rows', 'p50 ms', 'p99 ms', '≤ 10 ms'], r.crossover));
  }
}

await main();
