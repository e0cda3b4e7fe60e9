import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nodeFetch } from './node-fetch.js';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (d) => {
      body += d;
    });
    req.on('end', () => {
      if (req.url === '/gzip') {
        res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip' });
        res.end(gzipSync(JSON.stringify({ ok: true })));
      } else if (req.url === '/redirect') {
        res.writeHead(307, { location: '/echo' }).end();
      } else if (req.url === '/break') {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write('data: 1\n\n');
        setTimeout(() => res.socket?.destroy(), 20);
      } else if (req.url !== '/hang') {
        res.writeHead(200, { 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'] });
        res.end(JSON.stringify({ method: req.method, headers: req.headers, body }));
      }
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const failureOf = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error & { cause?: { code?: string } }) => err,
  );

describe('nodeFetch', () => {
  it('posts a body with its headers and a content length, and reads status, headers and JSON', async () => {
    const res = await nodeFetch(`${base}/echo`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'X-Custom': 'yes' },
      body: '{"x":1}',
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('set-cookie')).toBe('a=1, b=2');
    const echoed = (await res.json()) as { method: string; headers: Record<string, string>; body: string };
    expect(echoed).toMatchObject({ method: 'POST', body: '{"x":1}' });
    expect(echoed.headers).toMatchObject({ 'x-custom': 'yes', 'content-length': '7' });
  });

  it('decodes a gzip body and follows a redirect through the built-in fetch', async () => {
    expect(await (await nodeFetch(`${base}/gzip`)).json()).toEqual({ ok: true });
    const res = await nodeFetch(`${base}/redirect`, { method: 'POST', body: 'again' });
    expect(((await res.json()) as { body: string }).body).toBe('again');
  });

  it('fails like the built-in fetch: refused, timed out, cut short, aborted mid-body', async () => {
    const refused = await failureOf(nodeFetch('http://127.0.0.1:1/'));
    expect(refused).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(refused?.cause?.code).toBe('ECONNREFUSED');

    const timedOut = await failureOf(nodeFetch(`${base}/hang`, { signal: AbortSignal.timeout(50) }));
    expect(timedOut?.name).toBe('TimeoutError');

    const broken = (await nodeFetch(`${base}/break`)).body!.getReader();
    expect(new TextDecoder().decode((await broken.read()).value)).toBe('data: 1\n\n');
    expect(await failureOf(broken.read())).toMatchObject({ name: 'TypeError', message: 'terminated' });

    const ac = new AbortController();
    const reader = (await nodeFetch(`${base}/break`, { signal: ac.signal })).body!.getReader();
    await reader.read();
    ac.abort();
    expect((await failureOf(reader.read()))?.name).toBe('AbortError');
  });
});
