/**
 * Search latency: Q queries of 2–3 Zipf-drawn words through `GET /api/v1/search?q=…&limit=10` on a
 * server in its own process (keep-alive, sequential, after a warm-up), against the floor — the
 * same FTS5 expression the API builds, run straight on the same database file, read-only — and
 * the in-process service call in between (query work without HTTP). A health request per query
 * shows the fixed cost of one HTTP round trip. All of them are interleaved query by query, so load
 * from elsewhere on the machine lands on all of them alike.
 *
 *   N=100000 Q=1000 node --import tsx bench/search.ts      (HELIX_BENCH_HOME=… reuses a home)
 */
import BetterSqlite3 from 'better-sqlite3';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { buildFtsQuery } from '../src/search/fulltext/query.js';
import { searchFulltext } from '../src/search/fulltext/service.js';
import { corpusOptionsFromEnv, syntheticQueries } from './support/corpus.js';
import { benchHome, sqlitePathOf } from './support/home.js';
import { assertBuilt, startServer } from './support/processes.js';
import {
  fmt,
  fmtInt,
  markdownTable,
  printHeader,
  ratio,
  setting,
  summarize,
  verdict,
} from './support/report.js';

const N = setting('N', 100_000);
const Q = setting('Q', 1000);
const WARMUP = setting('WARMUP', 200);
const TARGET_RATIO = 1.5;

const now = () => Number(process.hrtime.bigint()) / 1e6;

async function main() {
  assertBuilt();
  const corpus = corpusOptionsFromEnv();
  printHeader('Search: `GET /api/v1/search` vs FTS5 on the same file', 'search.ts', {
    ...(process.env.HELIX_BENCH_HOME ? { HELIX_BENCH_HOME: process.env.HELIX_BENCH_HOME } : { N }),
    Q,
  });
  const bench = await benchHome(N, corpus);
  const server = await startServer(bench.home);
  const app = createApp(loadConfig({ home: bench.home }));
  try {
    const { search } = app.ctx.config;
    const db = new BetterSqlite3(sqlitePathOf(bench.home), { readonly: true });
    // the pragmas Helix opens its connections with (storage/database.ts), minus the writes
    db.pragma('cache_size = -32000');
    db.pragma('mmap_size = 268435456');
    const floorSql = db.prepare(
      `SELECT rowid, rank FROM nodes_fts WHERE nodes_fts MATCH ? AND rank MATCH 'bm25(${search.title_weight}, ${search.content_weight}, ${search.tags_weight})' ORDER BY rank LIMIT 10`,
    );
    // not the floor: the same ranking through SQLite's top-N sorter instead of FTS5's rank cursor
    const altSql = db.prepare(
      `SELECT rowid, bm25(nodes_fts, ${search.title_weight}, ${search.content_weight}, ${search.tags_weight}) AS score FROM nodes_fts WHERE nodes_fts MATCH ? ORDER BY score LIMIT 10`,
    );
    const countSql = db.prepare('SELECT count(*) FROM nodes_fts WHERE nodes_fts MATCH ?').pluck();
    const nodes = (db.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n;
    const idOf = db.prepare('SELECT id FROM nodes WHERE seq = ?').pluck();
    const floor = (expression: string) => floorSql.all(expression) as { rowid: number }[];
    const alt = (expression: string) => altSql.all(expression) as { rowid: number }[];
    const service = (q: string) => searchFulltext(app.ctx, { q, limit: 10 }).results;
    const http = async (path: string) => {
      const res = await fetch(`${server.url}${path}`);
      const body = await res.text();
      if (res.status !== 200) throw new Error(`${path}: ${res.status} ${body.slice(0, 200)}`);
      return body.length;
    };
    const searchPath = (q: string) => `/api/v1/search?q=${encodeURIComponent(q)}&limit=10`;

    const warm = syntheticQueries(WARMUP, corpus, 2);
    for (const q of warm) {
      const e = buildFtsQuery(q).expression!;
      floor(e);
      alt(e);
      service(q);
      await http(searchPath(q));
      await http('/api/v1/health');
    }

    const queries = syntheticQueries(Q, corpus, 1);
    const t = {
      floor: [] as number[],
      service: [] as number[],
      http: [] as number[],
      health: [] as number[],
      alt: [] as number[],
    };
    let hits = 0;
    let matched = 0;
    let bytes = 0;
    let mismatches = 0;
    let altMismatches = 0;
    for (const [i, q] of queries.entries()) {
      const expression = buildFtsQuery(q).expression!;
      matched += countSql.get(expression) as number;
      let floorRows: { rowid: number }[] = [];
      let altRows: { rowid: number }[] = [];
      let serviceIds: string[] = [];
      // rotate the order so none of them always runs first (cache warmth, timer ticks)
      const steps: (() => Promise<void> | void)[] = [
        () => {
          const s = now();
          floorRows = floor(expression);
          t.floor.push(now() - s);
        },
        () => {
          const s = now();
          const results = service(q);
          t.service.push(now() - s);
          serviceIds = results.map((r) => r.node.id);
        },
        async () => {
          const s = now();
          bytes += await http(searchPath(q));
          t.http.push(now() - s);
        },
        async () => {
          const s = now();
          await http('/api/v1/health');
          t.health.push(now() - s);
        },
        () => {
          const s = now();
          altRows = alt(expression);
          t.alt.push(now() - s);
        },
      ];
      for (let k = 0; k < steps.length; k++) await steps[(i + k) % steps.length]!();
      // the floor must be the same query as the service's: same rows in the same order
      hits += floorRows.length;
      if (serviceIds.join() !== floorRows.map((r) => idOf.get(r.rowid) as string).join()) mismatches++;
      if (altRows.map((r) => r.rowid).join() !== floorRows.map((r) => r.rowid).join()) altMismatches++;
    }
    db.close();

    const f = summarize(t.floor);
    const lines = [
      ['FTS5 floor: better-sqlite3, same expression, rowid + rank', f],
      ['service: `searchFulltext()` in process', summarize(t.service)],
      ['HTTP: `GET /api/v1/search` (server in a child process)', summarize(t.http)],
      ['HTTP: `GET /api/v1/health` (round-trip reference)', summarize(t.health)],
      ['not the floor: same MATCH, `ORDER BY bm25(…) LIMIT 10`', summarize(t.alt)],
    ] as const;
    console.log(
      `home: ${fmtInt(nodes)} nodes${bench.built ? '' : ` (HELIX_BENCH_HOME=${bench.home})`} · ${fmtInt(Q)} queries (${WARMUP} warm-up) · ${fmtInt(matched / Q)} matching nodes/query on average · ${fmt(hits / Q, 1)} hits returned · ${fmtInt(bytes / Q)} bytes/response · results differ from the floor's on ${mismatches} queries (service) and ${altMismatches} (bm25() plan)\n`,
    );
    console.log(
      markdownTable(
        ['path', 'p50 ms', 'p90 ms', 'p99 ms', 'mean ms', 'max ms', 'p50 vs floor', 'p99 vs floor'],
        lines.map(([label, s]) => [
          label,
          fmt(s.p50, 3),
          fmt(s.p90, 3),
          fmt(s.p99, 3),
          fmt(s.mean, 3),
          fmt(s.max, 1),
          ratio(s.p50, f.p50),
          ratio(s.p99, f.p99),
        ]),
      ),
    );
    const h = summarize(t.http);
    console.log('');
    console.log(
      markdownTable(
        ['target', 'measured', 'result'],
        [
          [
            `HTTP p50 ≤ ${TARGET_RATIO}× floor p50`,
            ratio(h.p50, f.p50),
            verdict(h.p50 <= TARGET_RATIO * f.p50),
          ],
          [
            `HTTP p99 ≤ ${TARGET_RATIO}× floor p99`,
            ratio(h.p99, f.p99),
            verdict(h.p99 <= TARGET_RATIO * f.p99),
          ],
        ],
      ),
    );
  } finally {
    app.close();
    await server.stop();
    bench.cleanup();
  }
}

await main();
