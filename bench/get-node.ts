/**
 * Read throughput: `GET /api/v1/nodes/:id` for random existing ids, from autocannon in a second
 * process (C keep-alive connections for D seconds) against the server in a third. In the same run:
 * the same load on `GET /api/v1/health` (the HTTP stack with almost no work behind it), and the
 * direct call `getNode()` in this process (the work without HTTP).
 *
 *   N=100000 C=10 D=10 node --import tsx bench/get-node.ts      (HELIX_BENCH_HOME=… reuses a home)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { getNode } from '../src/knowledge/nodes/service.js';
import { corpusOptionsFromEnv } from './support/corpus.js';
import { benchHome } from './support/home.js';
import type { LoadResult, LoadSpec } from './support/load-client.js';
import { assertBuilt, runTimed, startServer } from './support/processes.js';
import { seededRandom } from './support/random.js';
import { fmt, fmtInt, markdownTable, printHeader, setting, summarize } from './support/report.js';

const N = setting('N', 100_000);
const C = setting('C', 10);
const D = setting('D', 10);
const WARMUP_SECONDS = setting('WARMUP', 3);
const SAMPLE_IDS = 10_000;
const loadClient = fileURLToPath(new URL('./support/load-client.ts', import.meta.url));

async function load(spec: LoadSpec): Promise<LoadResult> {
  const run = await runTimed(process.execPath, ['--import', 'tsx', loadClient, JSON.stringify(spec)]);
  if (run.code !== 0) throw new Error(`load client failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').pop()!) as LoadResult;
}

/** The work behind the route, without HTTP: D seconds of getNode() on random ids, one after another. */
function direct(ids: string[], seconds: number, fn: (id: string) => unknown) {
  const rand = seededRandom(11);
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end) {
    const id = ids[Math.floor(rand() * ids.length)]!;
    const s = performance.now();
    fn(id);
    times.push(performance.now() - s);
  }
  return { count: times.length, seconds, summary: summarize(times) };
}

async function main() {
  assertBuilt();
  printHeader('Read a node: `GET /api/v1/nodes/:id` under load', 'get-node.ts', {
    ...(process.env.HELIX_BENCH_HOME ? { HELIX_BENCH_HOME: process.env.HELIX_BENCH_HOME } : { N }),
    C,
    D,
  });
  const bench = await benchHome(N, corpusOptionsFromEnv());
  const scratch = mkdtempSync(join(tmpdir(), 'helix-bench-get-'));
  const app = createApp(loadConfig({ home: bench.home }));
  const server = await startServer(bench.home);
  try {
    const total = (app.ctx.db.prepare('SELECT count(*) FROM nodes').pluck().get() as number) ?? 0;
    // a random sample of existing ids, spread over the whole table
    const ids = app.ctx.db
      .prepare('SELECT id FROM nodes ORDER BY random() LIMIT ?')
      .pluck()
      .all(SAMPLE_IDS) as string[];
    const nodePaths = join(scratch, 'nodes.json');
    const healthPaths = join(scratch, 'health.json');
    writeFileSync(nodePaths, JSON.stringify(ids.map((id) => `/api/v1/nodes/${id}`)));
    writeFileSync(healthPaths, JSON.stringify(['/api/v1/health']));

    await load({ url: server.url, pathsFile: nodePaths, connections: C, seconds: WARMUP_SECONDS });
    const nodes = await load({ url: server.url, pathsFile: nodePaths, connections: C, seconds: D });
    const health = await load({ url: server.url, pathsFile: healthPaths, connections: C, seconds: D });
    const call = direct(ids, Math.min(D, 5), (id) => getNode(app.ctx, id));

    console.log(
      `home: ${fmtInt(total)} nodes${bench.built ? '' : ` (HELIX_BENCH_HOME=${bench.home})`} · ${fmtInt(ids.length)} distinct ids drawn at random · ${C} connections · ${D} s per run after a ${WARMUP_SECONDS} s warm-up · autocannon in its own process\n`,
    );
    const row = (label: string, r: LoadResult) => [
      label,
      fmtInt(r.rps),
      fmt(r.latency.p50, 2),
      fmt(r.latency.p90, 2),
      fmt(r.latency.p99, 2),
      fmt(r.latency.max, 1),
      fmtInt(r.requests),
      String(r.errors + r.timeouts + r.non2xx),
    ];
    const perSec = call.count / call.seconds;
    console.log(
      markdownTable(
        ['run', 'req/s', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms', 'requests', 'errors + timeouts + non-2xx'],
        [
          row('`GET /api/v1/nodes/:id`', nodes),
          row('`GET /api/v1/health` (HTTP stack reference)', health),
          [
            '`getNode()` direct call, one at a time, in process',
            fmtInt(perSec),
            fmt(call.summary.p50, 3),
            fmt(call.summary.p90, 3),
            fmt(call.summary.p99, 3),
            fmt(call.summary.max, 1),
            fmtInt(call.count),
            '0',
          ],
        ],
      ),
    );
    const codes = Object.entries(nodes.statusCodes)
      .map(([c, n]) => `${c}: ${fmtInt(n)}`)
      .join(', ');
    console.log(
      `\nstatus codes (nodes run): ${codes || 'none'} · nodes route at ${fmt((100 * nodes.rps) / health.rps, 0)}% of the health route's rate`,
    );
    if (nodes.errors + nodes.timeouts + nodes.non2xx > 0) process.exitCode = 1;
  } finally {
    await server.stop();
    app.close();
    rmSync(scratch, { recursive: true, force: true });
    bench.cleanup();
  }
}

await main();
