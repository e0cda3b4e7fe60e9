import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/**
 * Two Helix servers share one real Redis (`redis-server` from Debian, started here on a free
 * loopback port): the budget is per identity across both. `.ci/run` installs redis-server; a
 * machine without it skips this file and says why.
 */
const hasRedis = (() => {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();

const TOKEN = 'redis-test-token-0123456789abcdef';

async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
  const port = (srv.address() as { port: number }).port;
  await new Promise((resolve) => srv.close(resolve));
  return port;
}

let redis: ChildProcess;
let dir: string;
let a: TestServer;
let b: TestServer;

describe.skipIf(!hasRedis)('rate limits in Redis (HELIX_REDIS_URL)', () => {
  beforeAll(async () => {
    dir = tempDir();
    const port = await freePort();
    redis = spawn(
      'redis-server',
      ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
      { stdio: 'ignore' },
    );
    const flags = {
      'auth.enabled': true,
      'auth.token': TOKEN,
      'rate_limit.requests': 4,
      'rate_limit.window_secs': 60,
      'rate_limit.redis_url': `redis://127.0.0.1:${port}`,
    };
    a = await startTestServer({ flags, token: TOKEN });
    b = await startTestServer({ flags, token: TOKEN });
    // the limiter counts in memory until its Redis connection is up
    await waitFor(async () => {
      const r = await a.api.get('/api/v1/rate-limits');
      const s = await b.api.get('/api/v1/rate-limits');
      return r.body.store === 'redis' && s.body.store === 'redis' ? true : null;
    }, 'both servers to reach Redis');
    execFileSync('redis-cli', ['-p', String(port), 'FLUSHALL'], { stdio: 'ignore' });
  });

  afterAll(async () => {
    await a?.close();
    await b?.close();
    redis?.kill('SIGKILL');
    removeDir(dir);
  });

  it('shares one budget per identity between servers, and keeps serving when Redis dies', async () => {
    const statuses: number[] = [];
    for (const s of [a, b, a, b, a]) statuses.push((await s.api.get('/api/v1/nodes')).status);
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
    const limited = await b.api.get('/api/v1/nodes');
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);

    redis.kill('SIGKILL');
    await new Promise((resolve) => redis.once('exit', resolve));
    // an outage neither fails requests nor lifts the limit: each server counts in memory
    const during = await a.api.get('/api/v1/rate-limits');
    expect(during.status).toBeLessThan(500);
    const after: number[] = [];
    for (let i = 0; i < 6; i++) after.push((await a.api.get('/api/v1/nodes')).status);
    expect(after.every((s) => s === 200 || s === 429)).toBe(true);
    expect(after).toContain(429);
  });
});
