/**
 * Router overhead: the latency a call gains by going through the AI layer, i.e. POST /api/generate
 * on a worker process (`hx worker start`: routing, budget reservation, usage row, the AI SDK, a
 * second HTTP hop) minus the same completion asked of the same fake provider directly, in one run.
 * Three processes, as in production: this client, the worker, and the fake provider (this script
 * again, in its own process, so serving the direct calls does not share an event loop with the
 * client). A fourth process is the floor: a bare node:http proxy (this script again) that does
 * only what any router must, one JSON body in, one upstream request over a keep-alive socket, one
 * JSON body out, with no framework, auth, budget, SDK or usage row. Its overhead, measured in the
 * same run, is what two loopback hops and two process wake-ups cost on this machine.
 * The three paths run open-loop on a fixed schedule at RATE requests/s each for D seconds,
 * interleaved a third of a period apart, after WARMUP seconds of the same; then S calls of each
 * path one at a time (no queueing: the bare per-call cost), during which the CPU time of the
 * worker and of the floor process is read from /proc (CPU per call, the least noisy figure here).
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

/**
 * The floor's process: the least a router process can do per call (no framework, auth, budget,
 * SDK or usage row), so its overhead is the machine's cost of the extra hop.
 */
function serveFloor(): void {
  const agent = new http.Agent({ keepAlive: true });
  const target = new URL(`${process.env.FAKE_BASE}/chat/completions`);
  const server = http.createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      body += d;
    });
    req.on('end', () => {
      const b = JSON.parse(body) as { prompt: string; model: string; max_tokens: number };
      const out = JSON.stringify({
        model: b.model.slice(b.model.indexOf('/') + 1),
        messages: [{ role: 'user', content: b.prompt }],
        max_tokens: b.max_tokens,
      });
      const headers = {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(out),
        authorization: 'Bearer sk-bench',
      };
      const up = http.request(target, { method: 'POST', agent, headers }, (r) => {
        let text = '';
        r.setEncoding('utf8');
        r.on('data', (d: string) => {
          text += d;
        });
        r.on('end', () => {
          const j = JSON.parse(text) as {
            model: string;
            choices: { message: { content: string } }[];
            usage: { prompt_tokens: number; completion_tokens: number };
          };
          const reply = JSON.stringify({
            text: j.choices[0]!.message.content,
            provider: 'openai',
            model: j.model,
            usage: { input_tokens: j.usage.prompt_tokens, output_tokens: j.usage.completion_tokens },
            cost_usd: 0,
          });
          res.writeHead(200, {
            'content-type': 'application/json',
            'content-length': Buffer.byteLength(reply),
          });
          res.end(reply);
        });
      });
      up.end(out);
    });
  });
  server.listen(0, '127.0.0.1', () => {
    const { port } = server.address() as { port: number };
    process.stdout.write(`${JSON.stringify({ url: `http://127.0.0.1:${port}` })}\n`);
  });
  process.once('SIGTERM', () => process.exit(0));
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

/** this script again, in its own process, as the fake provider or the floor */
const startRole = (role: 'fake' | 'floor', env: Record<string, string> = {}) =>
  started(
    spawn(process.execPath, ['--import', import.meta.resolve('tsx'), fileURLToPath(import.meta.url)], {
      cwd: tmpdir(),
      env: { ...process.env, ...env, ROUTER_BENCH_ROLE: role },
      stdio: ['pipe', 'pipe', 'inherit'],
    }),
  );

/** node flags for the worker process, e.g. WORKER_FLAGS="--cpu-prof --cpu-prof-dir=/tmp/x" */
const workerFlags = (process.env.WORKER_FLAGS ?? '').split(' ').filter(Boolean);

const startWorker = (fakeBase: string, home: string) =>
  started(
    spawn(
      process.execPath,
      [...workerFlags, hxBin, '--home', home, '--json', 'worker', 'start', '--port', '0'],
      {
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
      },
    ),
  );

interface Rss {
  rss: number;
  anon: number;
  file: number;
  peak: number;
}

/** CPU seconds a process has used (user + system), from /proc (Linux) */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // fields after the command name (which may hold spaces): utime and stime are the 12th and 13th
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(f[11]) + Number(f[12])) / 100;
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
 * Fires every path at `rate` requests/s for `seconds` on a fixed schedule (open loop: a slow
 * answer does not delay the next request), path k a k-th fraction of the period after path 0.
 */
async function openLoop(paths: (() => Promise<number>)[], rate: number, seconds: number) {
  const times = paths.map(() => [] as number[]);
  const pending: Promise<unknown>[] = [];
  const period = 1000 / rate;
  const start = performance.now();
  // timers fire up to ~1 ms late; a late slot goes out at once, so the rate holds on average
  const at = async (due: number) => {
    const wait = due - performance.now();
    if (wait > 0.5) await sleep(wait);
  };
  for (let i = 0; i < rate * seconds; i++)
    for (let k = 0; k < paths.length; k++) {
      await at(start + (i + k / paths.length) * period);
      pending.push(paths[k]!().then((t) => Number.isNaN(t) || times[k]!.push(t)));
    }
  await Promise.all(pending);
  return times.map(summarize);
}

const directBody = JSON.stringify({
  model: 'gpt-4o-mini',
  messages: [{ role: 'user', content: 'hi there' }],
  max_tokens: 16,
});
const routedBody = JSON.stringify({ prompt: 'hi there', model: 'openai/gpt-4o-mini', max_tokens: 16 });

interface Proc {
  url: string;
  pid: number;
}

async function overhead(fakeBase: string, floor: Proc, worker: Proc) {
  const directUrl = new URL(`${fakeBase}/chat/completions`);
  const floorUrl = new URL(`${floor.url}/api/generate`);
  const routedUrl = new URL(`${worker.url}/api/generate`);
  const paths = [
    () => timed(directUrl, directBody),
    () => timed(floorUrl, routedBody),
    () => timed(routedUrl, routedBody),
  ];
  await openLoop(paths, RATE, WARMUP);
  const [direct, viaFloor, routed] = await openLoop(paths, RATE, D);
  // one call at a time, in turn: the per-call cost without any queueing, and each process's CPU
  const seq = paths.map(() => [] as number[]);
  const cpu0 = [cpuOf(floor.pid), cpuOf(worker.pid)];
  for (let i = 0; i < S; i++) {
    const t = [] as number[];
    for (const p of paths) t.push(await p());
    if (t.every((x) => !Number.isNaN(x))) for (const [k, x] of t.entries()) seq[k]!.push(x);
  }
  const cpuMs = [cpuOf(floor.pid) - cpu0[0]!, cpuOf(worker.pid) - cpu0[1]!].map((s) => (s * 1000) / S);
  const [seqDirect, seqFloor, seqRouted] = seq.map(summarize);
  return {
    direct: direct!,
    floor: viaFloor!,
    routed: routed!,
    seqDirect: seqDirect!,
    seqFloor: seqFloor!,
    seqRouted: seqRouted!,
    cpu: { floor: cpuMs[0]!, worker: cpuMs[1]! },
  };
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
  const fake = await startRole('fake');
  const floor = await startRole('floor', { FAKE_BASE: fake.url });
  const home = mkdtempSync(`${tmpdir()}/helix-bench-router-`);
  const worker = await startWorker(fake.url, home);
  const pid = worker.child.pid!;
  try {
    await sleep(500);
    const atStart = rssOf(pid);
    if (OVERHEAD)
      reportOverhead(
        await overhead(fake.url, { url: floor.url, pid: floor.child.pid! }, { url: worker.url, pid }),
      );
    else await load(worker.url, 2000);
    const warm = rssOf(pid);
    const seconds = await load(worker.url, M);
    await sleep(500);
    reportMemory(atStart, warm, rssOf(pid), seconds);
  } finally {
    worker.child.kill('SIGTERM');
    fake.child.kill('SIGTERM');
    floor.child.kill('SIGTERM');
    agent.destroy();
    await sleep(300);
    rmSync(home, { recursive: true, force: true });
  }
}

function reportOverhead(o: Awaited<ReturnType<typeof overhead>>) {
  const diff = (a: typeof o.direct, b: typeof o.direct) => ({ p50: a.p50 - b.p50, p99: a.p99 - b.p99 });
  const p = diff(o.routed, o.direct);
  const f = diff(o.floor, o.direct);
  const row = (name: string, s: typeof o.direct) => [
    name,
    String(s.n),
    fmt(s.p50, 3),
    fmt(s.p90, 3),
    fmt(s.p99, 3),
    fmt(s.max, 1),
  ];
  const over = (name: string, d: { p50: number; p99: number }) => [
    name,
    '',
    fmt(d.p50, 3),
    '',
    fmt(d.p99, 3),
    '',
  ];
  console.log(
    markdownTable(
      ['path', 'calls', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'],
      [
        row(`direct to the fake provider, ${RATE} req/s`, o.direct),
        row(`through the floor (bare node:http proxy), ${RATE} req/s`, o.floor),
        row(`through the AI layer, ${RATE} req/s`, o.routed),
        over(`floor overhead, ${RATE} req/s`, f),
        over(`**AI layer overhead, ${RATE} req/s**`, p),
        row('direct, one at a time', o.seqDirect),
        row('through the floor, one at a time', o.seqFloor),
        row('through the AI layer, one at a time', o.seqRouted),
        over('floor overhead, one at a time', diff(o.seqFloor, o.seqDirect)),
        over('AI layer overhead, one at a time', diff(o.seqRouted, o.seqDirect)),
      ],
    ),
  );
  console.log(`\nfailed calls (reset or non-2xx, not timed): ${failures}`);
  console.log(
    `CPU per call, one at a time (/proc, user + system): AI layer ${fmt(o.cpu.worker, 3)} ms, floor ${fmt(o.cpu.floor, 3)} ms`,
  );
  console.log(
    `\ntargets at ${RATE} req/s: overhead p50 ≤ 0.5 ms ${verdict(p.p50 <= 0.5)}, p99 ≤ 2 ms ${verdict(p.p99 <= 2)}` +
      ` (the floor in the same run: p50 ${fmt(f.p50, 3)} ms ${verdict(f.p50 <= 0.5)}, p99 ${fmt(f.p99, 3)} ms ${verdict(f.p99 <= 2)})\n`,
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

const role = process.env.ROUTER_BENCH_ROLE;
if (role === 'fake') await serveFake();
else if (role === 'floor') serveFloor();
else await main();
