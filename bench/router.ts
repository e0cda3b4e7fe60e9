/**
 * Router overhead: the latency a call gains by going through the AI layer, i.e. POST /api/generate
 * on a worker process (`hx worker start`: routing, budget reservation, usage row, the AI SDK, a
 * second HTTP hop) minus the same completion asked of the same fake provider directly, in one run.
 * Three processes, as in production: this client, the worker, and the fake provider (this script
 * again, in its own process, so serving the direct calls does not share an event loop with the
 * client). Both paths run open-loop on a fixed schedule at RATE requests/s each for D seconds,
 * interleaved half a period apart, after WARMUP seconds of the same; then S calls of each path one
 * at a time (no queueing: the bare per-call cost).
 *
 * Then the worker's memory: RSS of the worker process itself (/proc/<pid>/status) when it has
 * started (before any call), after the overhead phase, and after M more calls (32 at a time).
 *
 *   RATE=200 D=10 S=1000 M=100000 node --import tsx bench/router.ts     (npm run build first)
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { assertBuilt, hxBin } from './support/processes.js';
import { fmt, markdownTable, mib, printHeader, setting, summarize, verdict } from './support/report.js';

const RATE = setting('RATE', 200);
const D = setting('D', 10);
const M = setting('M', 100_000);
const WARMUP = setting('WARMUP', 2);
const S = setting('S', 1000);
/** 0: skip the overhead phase (memory only) */
const OVERHEAD = setting('OVERHEAD', 1);

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The fake provider's process: this file with ROUTER_BENCH_ROLE=fake. */
async function serveFake(): Promise<void> {
  const { startFakeLlm } = await import('../test/support/fake-llm.js');
  const fake = await startFakeLlm();
  // the fake keeps every request for tests to inspect: not wanted here
  setInterval(() => {
    fake.calls.length = 0;
  }, 100);
  process.stdout.write(`${JSON.stringify({ url: fake.openaiBase })}\n`);
  const stop = () => void fake.close().finally(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.stdin.once('end', stop).resume();
}

/** Spawns a process that prints one JSON line with its URL. */
async function started(child: ChildProcess): Promise<{ url: string; child: ChildProcess }> {
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`process exited ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, child };
}

const startFake = () =>
  started(
    spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url)], {
      cwd: tmpdir(),
      env: { ...process.env, ROUTER_BENCH_ROLE: 'fake' },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );

const startWorker = (fakeBase: string, home: string) =>
  started(
    spawn(process.execPath, [hxBin, '--home', home, '--json', 'worker', 'start', '--port', '0'], {
      cwd: tmpdir(),
      env: {
        ...process.env,
        OPENAI_API_KEY: 'sk-bench',
        HELIX_WORKER_BASE_URLS: `openai=${fakeBase}`,
        HELIX_WORKER_BUDGET_LIMIT: '1000000000',
        // as in the earlier runs; HELIX_LOGGING_LEVEL=info adds Fastify's two request lines per call
        HELIX_LOGGING_LEVEL: process.env.HELIX_LOGGING_LEVEL ?? 'warn',
        HELIX_EMBEDDING_PROVIDER: 'hash',
      },
      stdio: ['ignore', 'pipe', 'inherit'],
    }),
  );

interface Rss {
  rss: number;
  anon: number;
  file: number;
  peak: number;
}

/** the worker's resident memory, from /proc (Linux) */
function rssOf(pid: number): Rss {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (name: string) =>
    Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN) * 1024;
  return { rss: kb('VmRSS'), anon: kb('RssAnon'), file: kb('RssFile'), peak: kb('VmHWM') };
}

// one keep-alive client for both paths (lighter than fetch, so the bench disturbs the machine less)
const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
let failures = 0;

/** ms for one POST; a failure (reset, non-2xx) is counted apart and not timed */
function timed(url: URL, body: string): Promise<number> {
  return new Promise((resolve) => {
    const s = performance.now();
    const fail = () => {
      failures++;
      resolve(Number.NaN);
    };
    const req = http.request(
      url,
      {
        method: 'POST',
        agent,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        res.on('data', () => {});
        res.once('end', () => (res.statusCode === 200 ? resolve(performance.now() - s) : fail()));
        res.once('error', fail);
      },
    );
    req.once('error', fail);
    req.end(body);
  });
}

/**
 * Fires both paths at `rate` requests/s each for `seconds` on a fixed schedule (open loop: a slow
 * answer does not delay the next request), the routed call half a period after the direct one.
 */
async function openLoop(
  direct: () => Promise<number>,
  routed: () => Promise<number>,
  rate: number,
  seconds: number,
) {
  const a: number[] = [];
  const b: number[] = [];
  const pending: Promise<unknown>[] = [];
  const period = 1000 / rate;
  const start = performance.now();
  // timers fire up to ~1 ms late; a late slot goes out at once, so the rate holds on average
  const at = async (due: number) => {
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
  };
  for (let i = 0; i < rate * seconds; i++) {
    await at(start + i * period);
    pending.push(direct().then((t) => Number.isNaN(t) || a.push(t)));
    await at(start + (i + 0.5) * period);
    pending.push(routed().then((t) => Number.isNaN(t) || b.push(t)));
  }
  await Promise.all(pending);
  return { direct: summarize(a), routed: summarize(b) };
}

const directBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi there' }],
  max_tokens: 16,
});
const routedBody = JSON.stringify({ prompt: 'hi there', model: 'openai/gpt-4o-mini', max_tokens: 16 });

async function overhead(fakeBase: string, workerUrl: string) {
  const directUrl = new URL(`${fakeBase}/chat/completions`);
  const routedUrl = new URL(`${workerUrl}/api/generate`);
  const direct = () => timed(directUrl, directBody);
  const routed = () => timed(routedUrl, routedBody);
  await openLoop(direct, routed, RATE, WARMUP);
  const open = await openLoop(direct, routed, RATE, D);
  // one call at a time, alternating: the per-call cost without any queueing
  const a: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < S; i++) {
    const x = await direct();
    const y = await routed();
    if (!Number.isNaN(x) && !Number.isNaN(y)) {
      a.push(x);
      b.push(y);
    }
  }
  return { ...open, seqDirect: summarize(a), seqRouted: summarize(b) };
}

/** n calls through the worker, 32 at a time */
async function load(workerUrl: string, n: number): Promise<number> {
  const url = new URL(`${workerUrl}/api/generate`);
  let next = 0;
  const s = performance.now();
  await Promise.all(
    Array.from({ length: 32 }, async () => {
      while (next++ < n) await timed(url, routedBody);
    }),
  );
  return (performance.now() - s) / 1000;
}

async function main() {
  assertBuilt();
  printHeader('Router overhead and memory', 'router.ts', { RATE, D, S, M, OVERHEAD, WARMUP });
  const fake = await startFake();
  const home = mkdtempSync(`${tmpdir()}/helix-bench-router-`);
  const worker = await startWorker(fake.url, home);
  const pid = worker.child.pid!;
  try {
    await sleep(500);
    const atStart = rssOf(pid);
    if (OVERHEAD) reportOverhead(await overhead(fake.url, worker.url));
    else await load(worker.url, 2000);
    const warm = rssOf(pid);
    const seconds = await load(worker.url, M);
    await sleep(500);
    reportMemory(atStart, warm, rssOf(pid), seconds);
  } finally {
    worker.child.kill('SIGTERM');
    fake.child.kill('SIGTERM');
    agent.destroy();
    await sleep(300);
    rmSync(home, { recursive: true, force: true });
  }
}

function reportOverhead(o: Awaited<ReturnType<typeof overhead>>) {
  const p50 = o.routed.p50 - o.direct.p50;
  const p99 = o.routed.p99 - o.direct.p99;
  const row = (name: string, s: typeof o.direct) => [
    name,
    String(s.n),
    fmt(s.p50, 3),
    fmt(s.p90, 3),
    fmt(s.p99, 3),
    fmt(s.max, 1),
  ];
  console.log(
    markdownTable(
      ['path', 'calls', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [
        row(`direct to the fake provider, ${RATE} req/s`, o.direct),
        row(`through the AI layer, ${RATE} req/s`, o.routed),
        [`**overhead (difference), ${RATE} req/s**`, '', fmt(p50, 3), '', fmt(p99, 3), ''],
        row('direct, one at a time', o.seqDirect),
        row('through the AI layer, one at a time', o.seqRouted),
        [
          'overhead, one at a time',
          '',
          fmt(o.seqRouted.p50 - o.seqDirect.p50, 3),
          '',
          fmt(o.seqRouted.p99 - o.seqDirect.p99, 3),
          '',
        ],
      ],
    ),
  );
  console.log(`\nfailed calls (reset or non-2xx, not timed): ${failures}`);
  console.log(
    `\ntargets at ${RATE} req/s: overhead p50 ≤ 0.5 ms ${verdict(p50 <= 0.5)}, p99 ≤ 2 ms ${verdict(p99 <= 2)}\n`,
  );
}

function reportMemory(start: Rss, warm: Rss, end: Rss, seconds: number) {
  const line = (name: string, r: Rss) => [name, mib(r.rss), mib(r.anon), mib(r.file), mib(r.peak)];
  const diff = (a: Rss, b: Rss): Rss => ({
    rss: b.rss - a.rss,
    anon: b.anon - a.anon,
    file: b.file - a.file,
    peak: b.peak - a.peak,
  });
  console.log(
    markdownTable(
      ['worker process', 'rss', 'anon', 'file-backed', 'peak rss'],
      [
        line('started, no call yet', start),
        line(OVERHEAD ? 'after the overhead phase (warm)' : 'after 2,000 calls (warm)', warm),
        line(`after ${M.toLocaleString('en')} more calls (${fmt(M / seconds, 0)} calls/s)`, end),
        line('growth since warm', diff(warm, end)),
        line('growth since start', diff(start, end)),
      ],
    ),
  );
  const limit = 50 * 1024 * 1024;
  console.log(
    `\ntarget: RSS within 50 MB after ${M.toLocaleString('en')} calls: since warm ${verdict(end.rss - warm.rss <= limit)}, since start ${verdict(end.rss - start.rss <= limit)}`,
  );
}

if (process.env.ROUTER_BENCH_ROLE === 'fake') await serveFake();
else await main();
