import { type IncomingMessage, type ServerResponse, createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { silentLogger } from '../src/core/logger.js';
import { OpenAIEmbedder } from '../src/search/embeddings/openai.js';
import { selectEmbeddingProvider } from '../src/search/embeddings/select.js';

/**
 * A fake OpenAI-compatible server on 127.0.0.1, port 0: vector i of a request is [length of text, 1],
 * returned in reverse order (clients must sort by `index`). Paths under /status/<code> fail with
 * that code; /slow answers after 500 ms.
 */
interface Seen {
  path: string;
  auth: string | undefined;
  body: { model: string; input: string[]; dimensions?: number };
}
const seen: Seen[] = [];
let base = '';

async function handle(req: IncomingMessage, res: ServerResponse) {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Seen['body'];
  seen.push({ path: req.url ?? '', auth: req.headers.authorization, body });
  const status = /\/status\/(\d+)\//.exec(req.url ?? '')?.[1];
  if (status) {
    res.writeHead(Number(status), { 'content-type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `failure ${status}` } }));
    return;
  }
  if (req.url?.startsWith('/slow/')) await new Promise((r) => setTimeout(r, 500));
  const data = body.input
    .map((t, index) => ({ object: 'embedding', index, embedding: [t.length, 1] }))
    .reverse();
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ object: 'list', data, model: body.model }));
}

const server = createServer((req, res) => {
  handle(req, res).catch(() => res.destroy());
});
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((r) => server.close(() => r())));

const embedder = (path: string, extra: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {}) =>
  new OpenAIEmbedder({ baseUrl: `${base}${path}`, model: 'nomic-embed-text', dimensions: 2, ...extra });

describe('OpenAI-compatible embeddings over real HTTP', () => {
  it('batches by batch_size, keeps order, skips empty texts and normalizes', async () => {
    seen.length = 0;
    const texts = ['a', 'bbb', '', 'cccc', 'dd', '   '];
    const vectors = await embedder('/v1', { batchSize: 2, apiKey: 'k-1' }).embed(texts);
    expect(seen.map((s) => s.body.input)).toEqual([
      ['a', 'bbb'],
      ['cccc', 'dd'],
    ]);
    expect(seen.every((s) => s.path === '/v1/embeddings' && s.auth === 'Bearer k-1')).toBe(true);
    expect(seen[0]!.body).not.toHaveProperty('dimensions');
    const expected = (n: number) => [n / Math.hypot(n, 1), 1 / Math.hypot(n, 1)];
    [1, 3, 0, 4, 2, 0].forEach((n, i) => {
      const want = n === 0 ? [0, 0] : expected(n);
      for (const [d, x] of vectors[i]!.entries()) expect(x).toBeCloseTo(want[d]!, 6);
    });
  });

  it('sends no authorization header without a key, and dimensions only when asked', async () => {
    seen.length = 0;
    await embedder('/v1', { requestDimensions: true }).embed(['x']);
    expect(seen[0]!.auth).toBeUndefined();
    expect(seen[0]!.body.dimensions).toBe(2);
  });

  it.each([
    [429, 'unavailable', true],
    [503, 'unavailable', true],
    [404, 'validation_error', false],
  ])('HTTP %i → %s (retryable %s)', async (status, code, retryable) => {
    const err = await embedder(`/status/${status}/v1`)
      .embed(['x'])
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code, retryable, details: { status } });
    expect((err as Error).message).toContain(`failure ${status}`);
  });

  it('times out a slow server as unavailable', async () => {
    await expect(embedder('/slow/v1', { timeoutMs: 100 }).embed(['x'])).rejects.toMatchObject({
      code: 'unavailable',
      message: expect.stringContaining('did not answer within 100 ms'),
    });
  });

  it('is what selectEmbeddingProvider builds for provider openai with a base_url and no key', async () => {
    const sel = await selectEmbeddingProvider({
      config: {
        embedding: {
          provider: 'openai',
          model: 'nomic-embed-text',
          dimensions: 2,
          base_url: `${base}/v1`,
          batch_size: 8,
        },
      },
      paths: { modelsDir: '/nonexistent' },
      logger: silentLogger(),
    });
    expect(sel.fallback).toBeNull();
    expect(sel.provider.id).toBe('openai:nomic-embed-text:2');
    const [v] = await sel.provider.embed(['abc']);
    expect(v!.length).toBe(2);
  });
});
