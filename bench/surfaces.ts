/**
 * The same read over each surface, and how fast a write reaches a WebSocket subscriber. ONE run:
 * a core server in this process (auth on, shared token), read one node N times in interleaved
 * rounds as a direct `getNode()` call (the floor), `GET /api/v1/nodes/:id` over one keep-alive
 * socket, and gRPC `GetNode` over one channel; then E writes through REST, each timed from the
 * request until its `node.created` event arrives at a subscribed `ws` client (change feed polled
 * every `events_poll_interval_ms`, poked at once by an in-process write).
 *
 *   ROUNDS=10 PER_ROUND=300 EVENTS=200 node --import tsx bench/surfaces.ts
 */
import { Agent, request } from 'node:http';
import { credentials, type Client, loadPackageDefinition, Metadata } from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import WebSocket from 'ws';
import { helixProtoPath, protoLoaderOptions } from '../src/api/grpc/proto.js';
import { startCoreServer } from '../src/api/run-server.js';
import { loadConfig } from '../src/core/config/load.js';
import { getNode } from '../src/knowledge/nodes/service.js';
import { removeDir, tempDir } from '../test/support/temp.js';
import { fmt, markdownTable, printHeader, ratio, setting, summarize } from './support/report.js';

const ROUNDS = setting('ROUNDS', 10);
const PER_ROUND = setting('PER_ROUND', 300);
const EVENTS = setting('EVENTS', 200);
const TOKEN = 'bench-surfaces-token-0123456789';
// biome-ignore lint/suspicious/noExplicitAny: a client built at run time from the proto
type Dynamic = Record<string, any>;

function restGet(agent: Agent, port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const req = request(
      { host: '127.0.0.1', port, path, agent, headers: { authorization: `Bearer ${TOKEN}` } },
      (res) => {
        res.resume();
        res.on('end', () =>
          res.statusCode === 200 ? resolve(performance.now() - t0) : reject(new Error(`${res.statusCode}`)),
        );
      },
    );
    req.on('error', reject);
    req.end();
  });
}

async function main() {
  printHeader('One read over each surface; write-to-WebSocket-event latency', 'surfaces.ts', {
    ROUNDS,
    PER_ROUND,
    EVENTS,
  });
  const home = tempDir();
  const running = await startCoreServer(
    loadConfig({
      home,
      env: {},
      cwd: home,
      flags: {
        'server.rest_port': 0,
        'server.grpc_port': 0,
        'embedding.provider': 'hash',
        'logging.level': 'warn',
        'auth.enabled': true,
        'auth.token': TOKEN,
        'rate_limit.requests': 1_000_000_000,
      },
    }),
  );
  const { ctx } = running.app;
  const pkg = loadPackageDefinition(loadSync(helixProtoPath, protoLoaderOptions)) as Dynamic;
  const client = new pkg.helix.v1.Helix(
    `127.0.0.1:${running.grpcPort}`,
    credentials.createInsecure(),
  ) as Client;
  const md = new Metadata();
  md.set('authorization', `Bearer ${TOKEN}`);
  const grpcGet = (id: string) =>
    new Promise<number>((resolve, reject) => {
      const t0 = performance.now();
      (client as unknown as Dynamic).GetNode({ id }, md, (err: Error | null) =>
        err ? reject(err) : resolve(performance.now() - t0),
      );
    });
  const agent = new Agent({ keepAlive: true, maxSockets: 1 });
  try {
    const post = await fetch(`${running.url}/api/v1/nodes`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
      body: JSON.stringify({ content: 'a node to read', tags: ['bench'] }),
    });
    const { id } = (await post.json()) as { id: string };
    const arms = {
      direct: [] as number[],
      rest: [] as number[],
      grpc: [] as number[],
    };
    const once = {
      direct: async () => {
        const t0 = performance.now();
        getNode(ctx, id);
        return performance.now() - t0;
      },
      rest: () => restGet(agent, running.port, `/api/v1/nodes/${id}`),
      grpc: () => grpcGet(id),
    };
    const names = Object.keys(arms) as (keyof typeof arms)[];
    for (const n of names) for (let i = 0; i < 500; i++) await once[n](); // warm-up
    for (let r = 0; r < ROUNDS; r++) {
      const order = r % 2 === 0 ? names : [...names].reverse();
      for (const n of order) for (let i = 0; i < PER_ROUND; i++) arms[n].push(await once[n]());
    }

    const ws = new WebSocket(`${running.url.replace('http', 'ws')}/api/v1/ws`, {
      headers: { authorization: `Bearer ${TOKEN}` },
    });
    const waiting = new Map<string, () => void>();
    ws.on('message', (data) => {
      const m = JSON.parse(data.toString()) as { type: string; data?: { id: string } };
      if (m.type === 'event' && m.data) waiting.get(m.data.id)?.();
    });
    await new Promise((r) => ws.once('open', r));
    ws.send(JSON.stringify({ type: 'subscribe', events: ['node.created'] }));
    await new Promise((r) => setTimeout(r, 100));
    const toEvent: number[] = [];
    const afterResponse: number[] = [];
    for (let i = 0; i < EVENTS; i++) {
      const t0 = performance.now();
      let t1 = 0;
      const res = fetch(`${running.url}/api/v1/nodes`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
        body: JSON.stringify({ content: `event ${i}` }),
      }).then(async (r) => {
        t1 = performance.now();
        return ((await r.json()) as { id: string }).id;
      });
      const made = await res;
      await new Promise<void>((resolve) => {
        // the event may already be here: it is queued before the response is read
        waiting.set(made, resolve);
        setTimeout(resolve, 5000);
      });
      const t2 = performance.now();
      toEvent.push(t2 - t0);
      afterResponse.push(Math.max(0, t2 - t1));
    }
    ws.terminate();

    const floor = summarize(arms.direct);
    console.log(
      `read one node: ${ROUNDS} interleaved rounds × ${PER_ROUND} sequential calls per surface, auth on (shared token), client and server in one process\n`,
    );
    console.log(
      markdownTable(
        ['surface', 'p50 ms', 'p99 ms', 'p50 vs direct'],
        names.map((n) => {
          const s = summarize(arms[n]);
          return [
            n === 'direct'
              ? 'direct getNode()'
              : n === 'rest'
                ? 'REST GET /api/v1/nodes/:id'
                : 'gRPC GetNode',
            fmt(s.p50, 3),
            fmt(s.p99, 3),
            ratio(s.p50, floor.p50),
          ];
        }),
      ),
    );
    const ev = summarize(toEvent);
    const ar = summarize(afterResponse);
    console.log(`\nwrite → WebSocket event, ${EVENTS} sequential REST creates, one subscriber\n`);
    console.log(
      markdownTable(
        ['measure', 'p50 ms', 'p99 ms'],
        [
          ['request start → event received', fmt(ev.p50, 3), fmt(ev.p99, 3)],
          ['response received → event received', fmt(ar.p50, 3), fmt(ar.p99, 3)],
        ],
      ),
    );
  } finally {
    client.close();
    agent.destroy();
    await running.close();
    removeDir(home);
  }
}

await main();
