/**
 * What the auth + rate-limit pipeline adds to a request. ONE run, one build: two core servers in
 * this process, identical but for `[auth]` (off: local admin, no limiter; on: shared token, JWT
 * secret, per-identity limiter with a limit never reached), the same `GET /api/v1/nodes?limit=1`
 * over one keep-alive socket each, in interleaved rounds (the order flips every round) so drift
 * in machine load hits both arms alike. Then the pieces alone, per call: `authenticate()` (shared
 * token, HS256 JWT), `limiter.consume()`, and the output sanitizer on a log line.
 *
 *   ROUNDS=20 PER_ROUND=500 node --import tsx bench/auth-pipeline.ts
 */
import { Agent, request } from 'node:http';
import { SignJWT } from 'jose';
import { createApp } from '../src/api/create-app.js';
import { type RunningServer, startCoreServer } from '../src/api/run-server.js';
import { loadConfig } from '../src/core/config/load.js';
import { createAuthenticator } from '../src/security/authenticate.js';
import { createRateLimiter } from '../src/security/rate-limit.js';
import { knownSecretCount, redact, registerSecret } from '../src/security/redact.js';
import { removeDir, tempDir } from '../test/support/temp.js';
import { fmt, fmtInt, markdownTable, printHeader, setting, summarize } from './support/report.js';

const ROUNDS = setting('ROUNDS', 20);
const PER_ROUND = setting('PER_ROUND', 500);
const MICRO = setting('MICRO', 200_000);
const TOKEN = 'bench-shared-token-0123456789abcdef';
const SECRET = 'bench-jwt-secret-0123456789abcdef0123';
const PATH = '/api/v1/nodes?limit=1';

const flagsOn = {
  'auth.enabled': true,
  'auth.token': TOKEN,
  'auth.jwt_secret': SECRET,
  'rate_limit.requests': 1_000_000_000,
};

async function start(flags: Record<string, unknown>): Promise<{ server: RunningServer; home: string }> {
  const home = tempDir();
  const loaded = loadConfig({
    home,
    env: {},
    cwd: home,
    flags: {
      'server.rest_port': 0,
      'server.grpc_port': 0,
      'embedding.provider': 'hash',
      'logging.level': 'warn',
      ...flags,
    },
  });
  return { server: await startCoreServer(loaded), home };
}

/** One request over a keep-alive socket; resolves with its latency in ms. */
function timedGet(agent: Agent, port: number, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request({ host: '127.0.0.1', port, path: PATH, agent, headers }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
        else resolve(performance.now() - t0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

function micro(label: string, n: number, fn: () => unknown): [string, number] {
  const t0 = performance.now();
  for (let i = 0; i < n; i++) fn();
  return [label, ((performance.now() - t0) / n) * 1e3];
}

async function microAsync(label: string, n: number, fn: () => Promise<unknown>): Promise<[string, number]> {
  for (let i = 0; i < Math.min(n, 2000); i++) await fn();
  const t0 = performance.now();
  for (let i = 0; i < n; i++) await fn();
  return [label, ((performance.now() - t0) / n) * 1e3];
}

async function main() {
  printHeader('Auth + rate-limit pipeline overhead', 'auth-pipeline.ts', { ROUNDS, PER_ROUND });
  const off = await start({});
  const on = await start(flagsOn);
  const jwt = await new SignJWT({ role: 'admin', namespace: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const arms = [
    {
      name: 'auth off (local admin, no limiter)',
      port: off.server.port,
      headers: {} as Record<string, string>,
    },
    {
      name: 'auth on: shared token + limiter',
      port: on.server.port,
      headers: { authorization: `Bearer ${TOKEN}` },
    },
    {
      name: 'auth on: HS256 JWT + limiter',
      port: on.server.port,
      headers: { authorization: `Bearer ${jwt}` },
    },
  ].map((a) => ({ ...a, agent: new Agent({ keepAlive: true, maxSockets: 1 }), times: [] as number[] }));
  try {
    // warm-up: JIT, connection setup, first-request work
    for (const a of arms) for (let i = 0; i < 1000; i++) await timedGet(a.agent, a.port, a.headers);
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? arms : [...arms].reverse();
      for (const a of order)
        for (let i = 0; i < PER_ROUND; i++) a.times.push(await timedGet(a.agent, a.port, a.headers));
    }
    const base = summarize(arms[0]!.times);
    console.log(
      `\`GET ${PATH}\`, ${ROUNDS} interleaved rounds × ${PER_ROUND} sequential requests per arm, one keep-alive socket each, server and client in one process\n`,
    );
    console.log(
      markdownTable(
        ['arm', 'requests', 'p50 ms', 'p99 ms', 'mean ms', 'Δp50 vs off ms', 'Δp99 vs off ms'],
        arms.map((a) => {
          const s = summarize(a.times);
          return [
            a.name,
            fmtInt(s.n),
            fmt(s.p50, 3),
            fmt(s.p99, 3),
            fmt(s.mean, 3),
            a === arms[0] ? '—' : fmt(s.p50 - base.p50, 3),
            a === arms[0] ? '—' : fmt(s.p99 - base.p99, 3),
          ];
        }),
      ),
    );
    const tokenDelta = summarize(arms[1]!.times).p50 - base.p50;
    console.log(
      `\ntarget: ≤ 0.2 ms added at p50 (shared token): ${tokenDelta <= 0.2 ? 'PASS' : 'FAIL'} (${fmt(tokenDelta, 3)} ms)\n`,
    );
  } finally {
    for (const a of arms) a.agent.destroy();
    await off.server.close();
    await on.server.close();
    removeDir(off.home);
    removeDir(on.home);
  }

  // the pieces alone
  const home = tempDir();
  const app = createApp(
    loadConfig({ home, env: {}, cwd: home, flags: { ...flagsOn, 'logging.level': 'silent' } }),
  );
  try {
    const auth = createAuthenticator(app.ctx);
    const limiter = createRateLimiter(app.ctx.config)!;
    const line =
      '{"level":30,"time":1764067200000,"pid":4242,"reqId":"0190f0a1-7c2e-7f00-8000-000000000001","req":{"method":"GET","url":"/api/v1/nodes?limit=20&namespace=work","host":"127.0.0.1:9470","remoteAddress":"127.0.0.1"},"msg":"incoming request"}\n';
    for (let i = 0; i < 50; i++) registerSecret(`vault-value-number-${i}-${'x'.repeat(i % 20)}`);
    const leaky = line.replace('namespace=work', `token=${TOKEN}`);
    const rows = [
      await microAsync('authenticate(): shared token', MICRO, () => auth(`Bearer ${TOKEN}`)),
      await microAsync('authenticate(): HS256 JWT', Math.min(MICRO, 50_000), () => auth(`Bearer ${jwt}`)),
      await microAsync('limiter.consume() (memory)', MICRO, () => limiter.consume('token:token')),
      micro(`redact(): clean ${line.length}-byte log line, ${knownSecretCount()} known forms`, MICRO, () =>
        redact(line),
      ),
      micro('redact(): the same line carrying the token', MICRO, () => redact(leaky)),
    ];
    console.log(
      markdownTable(
        ['per call', 'µs'],
        rows.map(([l, us]) => [l, fmt(us, 2)]),
      ),
    );
  } finally {
    app.close();
    removeDir(home);
  }
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
