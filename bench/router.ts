/**
 * Router overhead: the latency a call gains by going through the AI layer, i.e. POST /api/generate
 * on a worker process (routing, budget reservation, usage row, the AI SDK, a second HTTP hop)
 * minus the same completion asked of the same fake provider directly, in one run, both paths
 * driven open-loop at RATE requests/s each for D seconds from this process. Then the worker's
 * memory: M router calls in-process against the fake, heap and RSS after a GC vs after warm-up.
 *
 * Then S calls of each path one at a time (no queueing: the bare per-call cost).
 *
 *   RATE=200 D=10 S=1000 M=100000 node --import tsx bench/router.ts     (npm run build first)
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { makeTestAi } from '../test/support/ai.js';
import { startFakeLlm } from '../test/support/fake-llm.js';
import { assertBuilt, hxBin } from './support/processes.js';
import { fmt, markdownTable, mib, printHeader, setting, summarize, verdict } from './support/report.js';

const RATE = setting('RATE', 200);
const D = setting('D', 10);
const M = setting('M', 100_000);
const WARMUP = setting('WARMUP', 2);
const S = setting('S', 1000);
/** 0: skip the overhead phase (memory only) */
const OVERHEAD = setting('OVERHEAD', 1);
/** 0: no SQLite memory map, so RSS shows the process and not the usage table's file pages */
const MMAP = setting('MMAP', 1);

setFlagsFromString('--expose_gc');
const gc = runInNewContext('gc') as () => void;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function startWorker(fakeBase: string, home: string): Promise<{ url: string; stop(): void }> {
  const child = spawn(process.execPath, [hxBin, '--home', home, '--json', 'worker', 'start', '--port', '0'], {
    cwd: tmpdir(),
    env: {
      ...process.env,
      OPENAI_API_KEY: 'sk-bench',
      HELIX_WORKER_BASE_URLS: `openai=${fakeBase}`,
      HELIX_WORKER_BUDGET_LIMIT: '1000000000',
      HELIX_LOGGING_LEVEL: 'warn',
      HELIX_EMBEDDING_PROVIDER: 'hash',
    },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const line = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (out.includes('\n')) resolve(out.split('\n')[0]!);
    });
    child.once('exit', (code) => reject(new Error(`worker exited ${code}`)));
  });
  return { url: (JSON.parse(line) as { url: string }).url, stop: () => child.kill('SIGTERM') };
}

let failures = 0;

/** ms for one call; a failure (reset, non-2xx) is counted apart and not timed */
async function timed(url: string, body: string): Promise<number> {
  const s = performance.now();
  try {
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    await res.text();
    if (res.ok) return performance.now() - s;
  } catch {
    // counted below
  }
  failures++;
  return Number.NaN;
}

/** Fires both paths at `rate` requests/s each, interleaved, for `seconds`; returns their latencies. */
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
  for (let i = 0; i < rate * seconds; i++) {
    const due = start + i * period;
    const wait = due - performance.now();
    if (wait > 1) await sleep(wait);
    pending.push(direct().then((t) => Number.isNaN(t) || a.push(t)));
    pending.push(routed().then((t) => Number.isNaN(t) || b.push(t)));
  }
  await Promise.all(pending);
  return { direct: summarize(a), routed: summarize(b) };
}

async function overhead() {
  const fake = await startFakeLlm();
  const { mkdtempSync, rmSync } = await import('node:fs');
  const home = mkdtempSync(`${tmpdir()}/helix-bench-router-`);
  const worker = await startWorker(fake.openaiBase, home);
  try {
    const directBody = JSON.stringify({
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: 'hi there' }],
      max_tokens: 16,
    });
    const routedBody = JSON.stringify({ prompt: 'hi there', model: 'openai/gpt-4o-mini', max_tokens: 16 });
    const direct = () => timed(`${fake.openaiBase}/chat/completions`, directBody);
    const routed = () => timed(`${worker.url}/api/generate`, routedBody);
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
  } finally {
    worker.stop();
    await fake.close();
    await sleep(200);
    rmSync(home, { recursive: true, force: true });
  }
}

async function memory() {
  const fake = await startFakeLlm();
  const ai = makeTestAi(fake, { 'worker.budget_limit': 1e9 });
  if (!MMAP) ai.db.pragma('mmap_size = 0');
  const call = () =>
    ai.router.generate({
      messages: [{ role: 'user', content: 'hi there' }],
      model: 'openai/gpt-4o-mini',
      max_tokens: 16,
    });
  const run = async (n: number) => {
    let next = 0;
    await Promise.all(
      Array.from({ length: 32 }, async () => {
        while (next++ < n) {
          await call();
          // the fake keeps every request for tests to inspect: not the router's memory
          if (fake.calls.length > 1000) fake.calls.length = 0;
        }
      }),
    );
  };
  try {
    await run(2000);
    gc();
    const before = process.memoryUsage();
    const s = performance.now();
    await run(M);
    const seconds = (performance.now() - s) / 1000;
    gc();
    const after = process.memoryUsage();
    const { page_count: pages } = ai.db.prepare('PRAGMA page_count').get() as { page_count: number };
    return { before, after, seconds, dbBytes: pages * 4096 };
  } finally {
    ai.close();
    await fake.close();
  }
}

async function main() {
  assertBuilt();
  printHeader('Router overhead and memory', 'router.ts', { RATE, D, S, M, OVERHEAD, MMAP });
  if (OVERHEAD) await reportOverhead();
  await reportMemory();
}

async function reportOverhead() {
  const o = await overhead();
  const p50 = o.routed.p50 - o.direct.p50;
  const p99 = o.routed.p99 - o.direct.p99;
  console.log(
    markdownTable(
      ['path', 'calls', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [
        [
          'direct to the fake provider',
          String(o.direct.n),
          fmt(o.direct.p50, 3),
          fmt(o.direct.p90, 3),
          fmt(o.direct.p99, 3),
          fmt(o.direct.max, 1),
        ],
        [
          'through the AI layer',
          String(o.routed.n),
          fmt(o.routed.p50, 3),
          fmt(o.routed.p90, 3),
          fmt(o.routed.p99, 3),
          fmt(o.routed.max, 1),
        ],
        ['overhead (difference)', '', fmt(p50, 3), '', fmt(p99, 3), ''],
        [
          `direct, one at a time`,
          String(o.seqDirect.n),
          fmt(o.seqDirect.p50, 3),
          fmt(o.seqDirect.p90, 3),
          fmt(o.seqDirect.p99, 3),
          fmt(o.seqDirect.max, 1),
        ],
        [
          `through the AI layer, one at a time`,
          String(o.seqRouted.n),
          fmt(o.seqRouted.p50, 3),
          fmt(o.seqRouted.p90, 3),
          fmt(o.seqRouted.p99, 3),
          fmt(o.seqRouted.max, 1),
        ],
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
  console.log(`\ntargets: overhead p50 ≤ 0.5 ms ${verdict(p50 <= 0.5)}, p99 ≤ 2 ms ${verdict(p99 <= 2)}\n`);
}

async function reportMemory() {
  const m = await memory();
  const dHeap = m.after.heapUsed - m.before.heapUsed;
  const dRss = m.after.rss - m.before.rss;
  console.log(
    markdownTable(
      ['after', 'heap used', 'rss'],
      [
        ['warm-up (2,000 calls)', mib(m.before.heapUsed), mib(m.before.rss)],
        [
          `${M.toLocaleString('en')} more calls (${fmt(M / m.seconds, 0)} calls/s)`,
          mib(m.after.heapUsed),
          mib(m.after.rss),
        ],
        ['growth', mib(dHeap), mib(dRss)],
      ],
    ),
  );
  console.log(`\nSQLite file after the run: ${mib(m.dbBytes)} (memory-mapped: ${MMAP ? 'yes' : 'no'})`);
  console.log(
    `\ntarget: growth within 50 MB ${verdict(dRss <= 50 * 1024 * 1024 && dHeap <= 50 * 1024 * 1024)}`,
  );
}

await main();
