import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { CoreBridge } from '../src/worker/core-bridge.js';

/** A tiny stand-in core whose answers a test scripts: status codes, delays, or a dead socket. */
async function scriptedCore(
  answer: (n: number) => { status?: number; delayMs?: number; body?: unknown; destroy?: boolean },
) {
  let n = 0;
  const seen: string[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? '-'}`);
    const a = answer(n++);
    setTimeout(() => {
      if (a.destroy) return req.socket.destroy();
      res.writeHead(a.status ?? 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(a.body ?? { status: 'ok' }));
    }, a.delayMs ?? 0);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

let close: (() => Promise<void>) | undefined;
afterEach(async () => {
  await close?.();
  close = undefined;
});

const recallBody = {
  results: [{ node: { id: 'n1', title: 'T', kind: 'fact', content: 'c' }, score: 0.9 }],
  notices: [],
};

describe('CoreBridge', () => {
  it('retries an idempotent call after a 503 and a dropped connection, forwarding the caller token', async () => {
    const core = await scriptedCore((n) =>
      n === 0 ? { status: 503 } : n === 1 ? { destroy: true } : { body: recallBody },
    );
    close = core.close;
    const bridge = new CoreBridge({ baseUrl: core.url, timeoutMs: 1000, retries: 3 });
    const r = await bridge.recall('q', 5, 'Bearer caller');
    expect(r.sources).toEqual([{ id: 'n1', title: 'T', kind: 'fact', snippet: 'c', score: 0.9 }]);
    expect(core.seen).toEqual(Array(3).fill('POST /api/v1/recall Bearer caller'));
  });

  it('does not retry a write, and passes a 4xx through as the core error', async () => {
    const core = await scriptedCore((n) =>
      n === 0
        ? { status: 503 }
        : { status: 404, body: { error: { code: 'not_found', message: 'node x not found' } } },
    );
    close = core.close;
    const bridge = new CoreBridge({ baseUrl: core.url, timeoutMs: 1000, retries: 3, token: 'shared' });
    await expect(bridge.saveConversation({ title: 't', content: 'c', metadata: {} })).rejects.toMatchObject({
      code: 'unavailable',
    });
    expect(core.seen).toEqual(['POST /api/v1/nodes Bearer shared']);
    await expect(bridge.request('GET', '/api/v1/nodes/x')).rejects.toMatchObject({ code: 'not_found' });
  });

  it('times out, then opens its breaker: a dead core costs one fast failure', async () => {
    const core = await scriptedCore(() => ({ delayMs: 2000 }));
    close = core.close;
    const bridge = new CoreBridge({
      baseUrl: core.url,
      timeoutMs: 100,
      retries: 1,
      breakerThreshold: 2,
      cooldownMs: 60_000,
    });
    for (let i = 0; i < 2; i++)
      await expect(bridge.request('GET', '/api/v1/nodes')).rejects.toMatchObject({ code: 'unavailable' });
    expect(bridge.breakerState).toBe('open');
    const started = performance.now();
    const err = (await bridge.request('GET', '/api/v1/nodes').catch((e: unknown) => e)) as Error;
    expect(performance.now() - started).toBeLessThan(50);
    expect(err.message).toMatch(/circuit open/);
    expect(core.seen).toHaveLength(2);
    const health = await bridge.health();
    expect(health).toMatchObject({ status: 'unreachable', breaker: 'open' });
  });

  it('health: ok, degraded, unreachable', async () => {
    const core = await scriptedCore((n) =>
      n === 0 ? { body: { status: 'ok' } } : { status: 503, body: { status: 'degraded' } },
    );
    close = core.close;
    const bridge = new CoreBridge({ baseUrl: core.url, timeoutMs: 500 });
    expect((await bridge.health()).status).toBe('ok');
    expect((await bridge.health()).status).toBe('degraded');
    const dead = new CoreBridge({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500 });
    expect((await dead.health()).status).toBe('unreachable');
  });
});
