import { describe, expect, it } from 'vitest';
import { OpenAIEmbedder } from './openai.js';

const KEY = 'sk-test-0123456789abcdef';
const make = (
  fetchImpl: typeof fetch,
  extra: Partial<ConstructorParameters<typeof OpenAIEmbedder>[0]> = {},
) =>
  new OpenAIEmbedder({
    baseUrl: 'http://embed.test/v1/',
    model: 'm',
    dimensions: 2,
    apiKey: KEY,
    fetch: fetchImpl,
    ...extra,
  });
const reply = (status: number, body: unknown) =>
  (async () =>
    new Response(typeof body === 'string' ? body : JSON.stringify(body), { status })) as typeof fetch;

describe('OpenAIEmbedder (injected fetch)', () => {
  it('posts to <base>/embeddings with the key as a bearer token and never exposes it', async () => {
    let seen: { url: string; auth: string | null } | undefined;
    const e = make(async (url, init) => {
      seen = { url: String(url), auth: new Headers(init?.headers).get('authorization') };
      return new Response(JSON.stringify({ data: [{ index: 0, embedding: [3, 4] }] }));
    });
    expect(e.url).toBe('http://embed.test/v1/embeddings');
    const [v] = await e.embed(['hi']);
    expect(Array.from(v!)).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect(seen).toEqual({ url: 'http://embed.test/v1/embeddings', auth: `Bearer ${KEY}` });
    expect(JSON.stringify(e)).not.toContain(KEY);
  });

  it('maps a refused connection and a timeout to retryable unavailable', async () => {
    const refused = make(async () => {
      throw new TypeError('fetch failed');
    });
    await expect(refused.embed(['x'])).rejects.toMatchObject({ code: 'unavailable', retryable: true });
    const hang = make(
      (_url, init) =>
        new Promise((_, reject) =>
          init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)),
        ),
      { timeoutMs: 20 },
    );
    await expect(hang.embed(['x'])).rejects.toThrow(/did not answer within 20 ms/);
  });

  it('redacts an echoed key from upstream errors and marks 4xx as configuration errors', async () => {
    const e = make(reply(401, { error: { message: `Incorrect API key provided: ${KEY}` } }));
    const err = await e.embed(['x']).catch((x: unknown) => x);
    expect(err).toMatchObject({ code: 'validation_error', retryable: false, details: { status: 401 } });
    expect(String((err as Error).message)).toContain('[redacted]');
    expect(String((err as Error).message)).not.toContain(KEY);
    expect(String((err as Error).message)).toContain('embedding.api_key');
  });

  it('rejects malformed bodies and wrong dimensions clearly', async () => {
    await expect(make(reply(200, 'not json')).embed(['x'])).rejects.toMatchObject({ code: 'unavailable' });
    await expect(make(reply(200, { data: [] })).embed(['x'])).rejects.toThrow(
      /returned 0 vectors for 1 texts/,
    );
    await expect(
      make(reply(200, { data: [{ index: 0, embedding: [1, 2, 3] }] })).embed(['x']),
    ).rejects.toThrow(/set embedding.dimensions = 3/);
  });
});
