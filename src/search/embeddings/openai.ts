import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { type Breaker, type BreakerOptions, breakerFor } from '../../security/breakers.js';
import { type EmbeddingProvider, l2normalize, providerId } from './provider.js';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAIEmbedderOptions {
  /** API root including the version, e.g. `https://api.openai.com/v1`, `http://127.0.0.1:11434/v1` (Ollama) */
  baseUrl: string;
  model: string;
  /** what the model returns; a mismatch is reported, never silently stored */
  dimensions: number;
  /** sent as a bearer token; never logged, never echoed in errors */
  apiKey?: string;
  batchSize?: number;
  timeoutMs?: number;
  /** ask the endpoint to shorten vectors (OpenAI's text-embedding-3 models); off for servers that reject it */
  requestDimensions?: boolean;
  fetch?: typeof fetch;
  /** circuit breaker settings for this endpoint (src/security/breakers.ts); defaults: 5 failures, 30 s */
  breaker?: BreakerOptions;
}

const responseSchema = z.object({
  data: z.array(z.object({ index: z.number().int().nonnegative(), embedding: z.array(z.number()) })),
});

/** Trims provider messages and strips anything that looks like the key, since some servers echo it. */
function upstreamMessage(body: string, apiKey: string | undefined): string {
  let msg = body;
  try {
    const parsed = JSON.parse(body) as { error?: { message?: unknown } | string };
    const e = parsed.error;
    if (typeof e === 'string') msg = e;
    else if (e && typeof e.message === 'string') msg = e.message;
  } catch {
    // not JSON: keep the raw text
  }
  if (apiKey) msg = msg.split(apiKey).join('[redacted]');
  return msg.replace(/\s+/g, ' ').trim().slice(0, 300);
}

/**
 * Any OpenAI-compatible `/embeddings` endpoint: OpenAI, Ollama's `/v1`, LM Studio, vLLM, a proxy.
 * Texts go in batches of `batchSize`, one batch at a time (providers rate-limit per request). Errors
 * are HelixErrors: 429/5xx, timeouts and refused connections are `unavailable` (retryable); other
 * 4xx mean the configuration is wrong (key, model name) and are `validation_error`, not retried.
 */
export class OpenAIEmbedder implements EmbeddingProvider {
  readonly provider = 'openai' as const;
  readonly model: string;
  readonly dimensions: number;
  readonly id: string;
  readonly url: string;
  readonly #apiKey: string | undefined;
  private readonly batchSize: number;
  private readonly timeoutMs: number;
  private readonly requestDimensions: boolean;
  private readonly fetchFn: typeof fetch;
  /** one circuit per endpoint, so a dead Ollama stops costing a timeout per batch */
  private readonly breaker: Breaker;

  constructor(o: OpenAIEmbedderOptions) {
    this.model = o.model;
    this.dimensions = o.dimensions;
    this.id = providerId('openai', o.model, o.dimensions);
    const base = o.baseUrl.replace(/\/+$/, '');
    this.url = base.endsWith('/embeddings') ? base : `${base}/embeddings`;
    this.#apiKey = o.apiKey || undefined;
    this.batchSize = Math.max(1, o.batchSize ?? 64);
    this.timeoutMs = o.timeoutMs ?? 30_000;
    this.requestDimensions = o.requestDimensions ?? false;
    this.fetchFn = o.fetch ?? fetch;
    const endpoint = new URL(this.url);
    this.breaker = breakerFor(`embedding:${endpoint.host}${endpoint.pathname}`, o.breaker);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = texts.map(() => new Float32Array(this.dimensions));
    // empty texts get the zero vector without a request: OpenAI rejects empty input outright
    const todo = texts.flatMap((t, i) => (t.trim() ? [i] : []));
    for (let at = 0; at < todo.length; at += this.batchSize) {
      const slots = todo.slice(at, at + this.batchSize);
      const vectors = await this.breaker.execute(() => this.request(slots.map((i) => texts[i]!)));
      slots.forEach((slot, k) => {
        out[slot] = vectors[k]!;
      });
    }
    return out;
  }

  private async request(input: string[]): Promise<Float32Array[]> {
    const host = new URL(this.url).host;
    let res: Response;
    try {
      res = await this.fetchFn(this.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(this.#apiKey ? { authorization: `Bearer ${this.#apiKey}` } : {}),
        },
        body: JSON.stringify({
          model: this.model,
          input,
          encoding_format: 'float',
          ...(this.requestDimensions ? { dimensions: this.dimensions } : {}),
        }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (err) {
      const timedOut = err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError');
      throw new HelixError(
        'unavailable',
        timedOut
          ? `embedding endpoint ${host} did not answer within ${this.timeoutMs} ms`
          : `embedding endpoint ${host} is unreachable: ${err instanceof Error ? err.message : String(err)}`,
        { provider: 'openai', url: this.url },
      );
    }
    const body = await res.text().catch(() => '');
    if (!res.ok) {
      const retryable = res.status === 429 || res.status >= 500;
      const detail = upstreamMessage(body, this.#apiKey);
      const hint =
        res.status === 401 || res.status === 403
          ? ' (check embedding.api_key)'
          : res.status === 404
            ? ' (check embedding.base_url and embedding.model)'
            : '';
      throw new HelixError(
        retryable ? 'unavailable' : 'validation_error',
        `embedding endpoint ${host} answered HTTP ${res.status}${hint}${detail ? `: ${detail}` : ''}`,
        {
          provider: 'openai',
          url: this.url,
          status: res.status,
          ...(retryable ? {} : { field: 'embedding' }),
        },
      );
    }
    return this.parse(body, input.length, host);
  }

  private parse(body: string, expected: number, host: string): Float32Array[] {
    let parsed: z.infer<typeof responseSchema>;
    try {
      parsed = responseSchema.parse(JSON.parse(body));
    } catch {
      throw new HelixError(
        'unavailable',
        `embedding endpoint ${host} sent a response that is not an embeddings list`,
        {
          provider: 'openai',
          url: this.url,
        },
      );
    }
    const rows = [...parsed.data].sort((a, b) => a.index - b.index);
    if (rows.length !== expected || rows.some((r, i) => r.index !== i))
      throw new HelixError(
        'unavailable',
        `embedding endpoint ${host} returned ${rows.length} vectors for ${expected} texts`,
        {
          provider: 'openai',
        },
      );
    const wrong = rows.find((r) => r.embedding.length !== this.dimensions);
    if (wrong)
      throw new HelixError(
        'validation_error',
        `model ${this.model} returns ${wrong.embedding.length} dimensions, the configuration says ${this.dimensions}: set embedding.dimensions = ${wrong.embedding.length}`,
        { field: 'embedding.dimensions', expected: this.dimensions, actual: wrong.embedding.length },
      );
    return rows.map((r) => l2normalize(Float32Array.from(r.embedding)));
  }
}
