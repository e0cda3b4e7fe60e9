import { existsSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type ServerProcess, type SpawnOptions, spawnServer } from './support/cli.js';
import { exportedNode } from './support/factories.js';
import { apiClient } from './support/http.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

let home: string;
const children: ServerProcess[] = [];

beforeEach(() => {
  home = tempDir();
});
afterEach(async () => {
  for (const c of children.splice(0)) {
    if (c.child.exitCode === null && c.child.signalCode === null) {
      c.child.kill('SIGKILL');
      await c.exited;
    }
  }
  removeDir(home);
});

const start = async (onReady?: SpawnOptions['onReady']) => {
  const server = await spawnServer(home, onReady ? { onReady } : {});
  children.push(server);
  return server;
};

describe('durability of a server process', { timeout: 180_000 }, () => {
  it('prints its start record as one JSON line on stdout (--json)', async () => {
    const server = await start();
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(server.pid).toBe(server.child.pid);
    const firstLine = server.stdout().split('\n')[0]!;
    expect(() => JSON.parse(firstLine), `first stdout line: ${firstLine}`).not.toThrow();
  });

  it('keeps every acknowledged write across kill -9', async () => {
    const server = await start();
    const api = apiClient(server.url);
    const acked = new Map<string, string>();
    let stop = false;
    const writer = async (w: number) => {
      for (let i = 0; !stop; i++) {
        const content = `writer ${w} note ${i} ${'durable '.repeat(i % 7)}`;
        try {
          const res = await api.post('/api/v1/nodes', { content, tags: [`w${w}`] });
          if (res.status === 201) acked.set(res.body.id, content);
          else throw new Error(`unexpected ${res.status} ${res.text}`);
        } catch (err) {
          if (stop || server.child.exitCode !== null || server.child.signalCode !== null) return;
          if ((err as Error).message.startsWith('unexpected')) throw err;
          return; // the connection died with the process
        }
      }
    };
    const writers = [0, 1, 2, 3].map(writer);
    // kill in the middle of the stream, once a good number of writes are acknowledged
    await waitFor(() => acked.size >= 200, '200 acknowledged writes', 60_000, 10);
    server.child.kill('SIGKILL');
    const exit = await server.exited;
    stop = true;
    await Promise.all(writers);
    expect(exit.signal).toBe('SIGKILL');
    expect(acked.size).toBeGreaterThanOrEqual(200);

    const again = await start(); // same home: a stale pid file must not block it
    const api2 = apiClient(again.url);
    expect((await api2.get('/api/v1/health')).body.database.status).toBe('ok');
    const missing: string[] = [];
    const entries = [...acked.entries()];
    for (let i = 0; i < entries.length; i += 16) {
      await Promise.all(
        entries.slice(i, i + 16).map(async ([id, content]) => {
          const res = await api2.get(`/api/v1/nodes/${id}`);
          if (res.status !== 200 || res.body.content !== content) missing.push(`${id}: ${res.status}`);
        }),
      );
    }
    expect(missing).toEqual([]);
    const stats = (await api2.get('/api/v1/stats')).body;
    expect(stats.nodes).toBeGreaterThanOrEqual(acked.size);
  });

  it('shuts down gracefully on a SIGTERM sent the moment it says it is ready', async () => {
    // supervisors (and `hx server stop` right after `hx server start`) signal as soon as the
    // start record appears: the handler must already be installed by then
    for (let i = 0; i < 5; i++) {
      const server = await start((child) => child.kill('SIGTERM'));
      expect(await server.exited, `attempt ${i + 1}`).toEqual({ code: 0, signal: null });
      expect(existsSync(join(home, 'helix.pid'))).toBe(false);
    }
  });

  it('stops gracefully on SIGTERM: the in-flight request completes, exit 0, pid file removed', async () => {
    const server = await start();
    const pidFile = join(home, 'helix.pid');
    expect(existsSync(pidFile)).toBe(true);
    const url = new URL('/api/v1/import', server.url);
    const line = (i: number) => `${JSON.stringify(exportedNode(i, `in flight ${i}`))}\n`;
    // a client that keeps its connection alive, as browsers and SDKs do
    const agent = new Agent({ keepAlive: true });
    // an import whose body trickles in: the request is in flight for as long as we like
    const response = new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = request(
        url,
        {
          method: 'POST',
          agent,
          headers: { 'content-type': 'application/x-ndjson', expect: '100-continue' },
        },
        (res) => {
          let body = '';
          res.setEncoding('utf8').on('data', (d: string) => {
            body += d;
          });
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
        },
      );
      req.on('error', reject);
      // 100 Continue: the server has parsed the request and handed it to the route
      req.on('continue', async () => {
        try {
          req.write(line(1));
          server.child.kill('SIGTERM');
          // the listener closes first: new connections are refused while ours carries on
          await waitFor(
            async () =>
              fetch(`${server.url}/api/v1/health`).then(
                () => false,
                () => true,
              ),
            'the listener to close',
            20_000,
          );
          req.write(line(2));
          req.end(line(3));
        } catch (err) {
          reject(err);
        }
      });
      req.flushHeaders();
    });
    const res = await response;
    const answeredAt = Date.now();
    expect(res.status, res.body).toBe(200);
    expect(JSON.parse(res.body)).toMatchObject({ imported: 3, failed: 0 });
    const exit = await server.exited;
    agent.destroy();
    expect(exit).toEqual({ code: 0, signal: null });
    // once nothing is in flight it exits promptly, even though our client keeps its connection open
    // (it must not sit out [server] shutdown_timeout_secs, 10 s, on an idle keep-alive socket)
    expect(Date.now() - answeredAt).toBeLessThan(4000);
    expect(existsSync(pidFile)).toBe(false);

    // and the import was committed before the exit
    const again = await start();
    const items = (await apiClient(again.url).get('/api/v1/nodes?limit=10')).body.items as {
      content: string;
    }[];
    expect(items.map((n) => n.content).sort()).toEqual(['in flight 1', 'in flight 2', 'in flight 3']);
  });
});
