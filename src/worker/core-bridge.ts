import {
  BrokenCircuitError,
  ConsecutiveBreaker,
  type CircuitState,
  circuitBreaker,
  ExponentialBackoff,
  handleWhen,
  retry,
} from 'cockatiel';
import type { ChatSource, Retriever } from '../ai/chat.js';
import { type ErrorCode, errorCatalogue, HelixError } from '../core/errors.js';
import type { PrincipalScope } from '../security/principal.js';

export interface CoreBridgeOptions {
  baseUrl: string;
  timeoutMs: number;
  /** the credential used when a call carries no caller's Authorization (the shared token) */
  token?: string;
  retries?: number;
  breakerThreshold?: number;
  cooldownMs?: number;
  fetch?: typeof globalThis.fetch;
}

export interface CoreHealth {
  status: 'ok' | 'degraded' | 'unreachable';
  url: string;
  breaker: 'closed' | 'open' | 'half_open' | 'isolated';
  error?: string;
}

/** A failure worth another try: the core did not answer, or answered 502/503/504. */
class Transient extends Error {}

const breakerNames = ['closed', 'open', 'half_open', 'isolated'] as const;

/**
 * The worker's only way to the core: its HTTP API, with a timeout on every call, retries for
 * idempotent ones (GET and read-only POSTs such as recall) and a breaker, so a dead core costs one
 * fast failure instead of a hung request.
 */
export class CoreBridge implements Retriever {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof globalThis.fetch;
  private readonly breaker;
  private readonly retry;

  constructor(private readonly options: CoreBridgeOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? globalThis.fetch;
    this.breaker = circuitBreaker(
      handleWhen((e) => e instanceof Transient),
      {
        halfOpenAfter: options.cooldownMs ?? 10_000,
        breaker: new ConsecutiveBreaker(options.breakerThreshold ?? 5),
      },
    );
    this.retry = retry(
      handleWhen((e) => e instanceof Transient),
      {
        maxAttempts: options.retries ?? 2,
        backoff: new ExponentialBackoff({ initialDelay: 50, maxDelay: 500 }),
      },
    );
  }

  get breakerState(): CoreHealth['breaker'] {
    return breakerNames[this.breaker.state as CircuitState] ?? 'closed';
  }

  private async once<T>(
    method: string,
    path: string,
    body: unknown,
    authorization: string | undefined,
  ): Promise<T> {
    const auth = authorization ?? (this.options.token ? `Bearer ${this.options.token}` : undefined);
    let res: Response;
    try {
      res = await this.fetchImpl(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(auth ? { authorization: auth } : {}),
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (err) {
      throw new Transient((err as Error).name === 'TimeoutError' ? 'timed out' : (err as Error).message);
    }
    if (res.status === 502 || res.status === 503 || res.status === 504) {
      await res.body?.cancel();
      throw new Transient(`HTTP ${res.status}`);
    }
    const json = (await res.json().catch(() => null)) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    } | null;
    if (!res.ok) {
      const code = (
        json?.error?.code && json.error.code in errorCatalogue ? json.error.code : 'internal_error'
      ) as ErrorCode;
      throw new HelixError(
        code,
        `core: ${json?.error?.message ?? `HTTP ${res.status}`}`,
        json?.error?.details,
      );
    }
    return json as T;
  }

  /** One call to the core; `idempotent` calls are retried on transient failures. */
  async request<T>(
    method: string,
    path: string,
    init: { body?: unknown; authorization?: string; idempotent?: boolean } = {},
  ): Promise<T> {
    const call = () => this.breaker.execute(() => this.once<T>(method, path, init.body, init.authorization));
    try {
      return await ((init.idempotent ?? method === 'GET') ? this.retry.execute(call) : call());
    } catch (err) {
      if (err instanceof HelixError) throw err;
      const why =
        err instanceof BrokenCircuitError ? 'circuit open after repeated failures' : (err as Error).message;
      throw new HelixError('unavailable', `the core at ${this.baseUrl} is unreachable (${why})`, {
        core_url: this.baseUrl,
      });
    }
  }

  /** Liveness of the core, never throwing and never retried (health must answer fast). */
  async health(): Promise<CoreHealth> {
    const base = { url: this.baseUrl, breaker: this.breakerState };
    try {
      const res = await this.fetchImpl(`${this.baseUrl}/api/v1/health`, {
        signal: AbortSignal.timeout(Math.min(this.options.timeoutMs, 2000)),
      });
      const body = (await res.json().catch(() => ({}))) as { status?: string };
      return { ...base, status: res.ok && body.status === 'ok' ? 'ok' : 'degraded' };
    } catch (err) {
      return { ...base, status: 'unreachable', error: (err as Error).message };
    }
  }

  async recall(
    text: string,
    limit: number,
    authorization?: string,
  ): Promise<{ sources: ChatSource[]; notices: string[] }> {
    const r = await this.request<{
      results: { node: { id: string; title: string | null; kind: string; content: string }; score: number }[];
      notices: string[];
    }>('POST', '/api/v1/recall', { body: { text, limit }, authorization, idempotent: true });
    return {
      sources: r.results.map((x) => ({
        id: x.node.id,
        title: x.node.title ?? x.node.content.slice(0, 60),
        kind: x.node.kind,
        snippet: x.node.content.slice(0, 600),
        score: x.score,
      })),
      notices: r.notices,
    };
  }

  /** Creates the conversation node, or replaces its content when it already exists. */
  async saveConversation(
    input: { id?: string; title: string; content: string; metadata: Record<string, unknown> },
    authorization?: string,
  ): Promise<{ id: string }> {
    const body = {
      kind: 'conversation',
      title: input.title,
      content: input.content,
      metadata: input.metadata,
    };
    if (input.id)
      return this.request('PUT', `/api/v1/nodes/${input.id}`, { body, authorization, idempotent: true });
    return this.request('POST', '/api/v1/nodes', { body: { ...body, tags: ['chat'] }, authorization });
  }

  /** Who the core says a token belongs to (for tokens the worker cannot verify itself). */
  whoami(authorization: string) {
    return this.request<{
      id: string;
      via: string;
      role: string;
      namespaces: string[];
      scope: PrincipalScope | null;
    }>('GET', '/api/v1/consumers/whoami', {
      authorization,
    });
  }
}
