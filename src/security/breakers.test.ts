import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { HelixError } from '../core/errors.js';
import { OpenAIEmbedder } from '../search/embeddings/openai.js';
import { breakerFor, breakerStates, resetBreakers } from './breakers.js';

/** A loopback embeddings endpoint whose health the test switches: 'down' answers 503. */
let mode: 'up' | 'down' = 'down';
let hits = 0;
const server = createServer((req, res) => {
  hits++;
  req.resume();
  req.on('end', () => {
    if (mode === 'down') {
      res.writeHead(503, { 'content-type': 'application/json' });
      res.end('{"error":{"message":"overloaded"}}');
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: [{ index: 0, embedding: [1, 0] }] }));
  });
});
let base = '';
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));
afterEach(() => resetBreakers());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('circuit breakers', () => {
  it('open → half-open → closed around the OpenAI-compatible embedder, over real HTTP', async () => {
    mode = 'down';
    hits = 0;
    const embedder = new OpenAIEmbedder({
      baseUrl: `${base}/v1`,
      model: 'm',
      dimensions: 2,
      breaker: { threshold: 3, halfOpenAfterMs: 150 },
    });
    const name = `embedding:127.0.0.1:${new URL(base).port}/v1/embeddings`;
    for (let i = 0; i < 3; i++)
      await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'unavailable' });
    expect(hits).toBe(3);
    const open = breakerStates().find((b) => b.name === name)!;
    expect(open).toMatchObject({ state: 'open', failures: 3 });
    expect(Date.parse(open.opened_at!)).toBeGreaterThan(Date.now() - 5000);

    // open: fails fast without touching the endpoint, saying when to retry
    const fast = await embedder.embed(['x']).catch((e: unknown) => e);
    expect(fast).toBeInstanceOf(HelixError);
    expect(fast).toMatchObject({ code: 'unavailable', retryable: true, details: { breaker: name } });
    expect(hits).toBe(3);

    await sleep(200);
    expect(breakerFor(name).state.state).toBe('half_open');
    // a failed trial re-opens it
    await expect(embedder.embed(['x'])).rejects.toMatchObject({ code: 'unavailable' });
    expect(hits).toBe(4);
    expect(breakerFor(name).state.state).toBe('open');

    // the endpoint recovers: the next trial closes the circuit and calls flow again
    mode = 'up';
    await sleep(200);
    expect(breakerFor(name).state.state).toBe('half_open');
    expect((await embedder.embed(['x']))[0]).toEqual(Float32Array.from([1, 0]));
    expect(breakerFor(name).state).toMatchObject({ state: 'closed', failures: 0, opened_at: null });
    await embedder.embed(['y']);
    expect(hits).toBe(6);
  });

  it('does not count non-retryable errors (a bad request says nothing about the dependency)', async () => {
    const b = breakerFor('test:bad-input', { threshold: 2, halfOpenAfterMs: 10_000 });
    for (let i = 0; i < 5; i++) {
      await expect(
        b.execute(() => {
          throw new HelixError('validation_error', 'embedding: bad model');
        }),
      ).rejects.toMatchObject({ code: 'validation_error' });
    }
    expect(b.state).toMatchObject({ state: 'closed', failures: 0 });
    // a refused connection (a plain Error) counts
    for (let i = 0; i < 2; i++)
      await expect(b.execute(() => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow();
    expect(b.state.state).toBe('open');
  });

  it('shares one breaker per name and lists every breaker', () => {
    const a = breakerFor('llm:openai');
    expect(breakerFor('llm:openai')).toBe(a);
    breakerFor('webhook:example');
    expect(breakerStates().map((s) => s.name)).toEqual(['llm:openai', 'webhook:example']);
    expect(a.state).toEqual({ name: 'llm:openai', state: 'closed', failures: 0, opened_at: null });
  });
});
