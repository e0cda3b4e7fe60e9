import {
  type RateLimiterAbstract,
  RateLimiterMemory,
  RateLimiterRedis,
  RateLimiterRes,
} from 'rate-limiter-flexible';
import type { HelixConfig } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import type { Principal } from './principal.js';

/** What `GET /api/v1/rate-limits` shows and what the pipeline records per request. */
export interface RateLimitState {
  limit: number;
  window_secs: number;
  remaining: number;
  reset_at: string;
  /** where this request was counted: shared Redis, or this process's memory */
  store: 'memory' | 'redis';
}

export interface RateLimiter {
  readonly limit: number;
  readonly windowSecs: number;
  /** where the counters live right now: `redis`, or `memory` (default, or Redis not connected yet) */
  readonly store: 'memory' | 'redis';
  /** spends one request for `key`; throws `rate_limited` (429, Retry-After) past the limit */
  consume(key: string): Promise<RateLimitState>;
  /** releases the Redis connection, if any */
  close(): Promise<void>;
}

/**
 * The part of an ioredis client that rate-limiter-flexible uses (it defines a Lua command on it
 * and calls it), plus `quit` to close. Injected in tests; built from `rate_limit.redis_url` in
 * production by loading the `ioredis` package.
 */
export interface RedisClientLike {
  status?: string;
  defineCommand?(name: string, definition: { numberOfKeys: number; lua: string }): void;
  quit?(): Promise<unknown>;
  disconnect?(): void;
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

export interface RateLimiterDeps {
  logger?: Logger;
  /** a connected client, or a factory; default: `ioredis` pointed at `rate_limit.redis_url` */
  redis?: RedisClientLike | ((url: string) => Promise<RedisClientLike>);
}

/**
 * The bucket a request is counted in: the authenticated identity, or else the socket's peer
 * address. Never X-Forwarded-For or any other header: a client sets those and would get a fresh
 * bucket per request. (Behind a trusted proxy this needs an explicit opt-in, not a header read.)
 */
export const rateLimitKey = (principal: Principal | undefined, remoteAddress: string | undefined): string =>
  principal ? `${principal.via}:${principal.id}` : `ip:${remoteAddress ?? 'unknown'}`;

/**
 * An ioredis client for `url`, failing fast while disconnected (no offline queue, short command
 * timeout) so a Redis outage costs a request milliseconds, not a hang: the insurance limiter
 * takes over. `ioredis` is optional: without it the caller falls back to memory and says why.
 */
export async function connectIoredis(url: string): Promise<RedisClientLike> {
  const pkg = 'ioredis';
  type Ioredis = RedisClientLike & {
    stream?: { unref?(): void };
    on(event: 'connect', listener: () => void): unknown;
  };
  const mod = (await import(pkg)) as { default: new (url: string, options: object) => Ioredis };
  const client = new mod.default(url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    commandTimeout: 100,
    connectTimeout: 2000,
    // keep reconnecting with a capped back-off; the insurance limiter covers the gap
    retryStrategy: (times: number) => Math.min(times * 200, 5000),
  });
  // a limiter whose owner never calls close() must not keep the process alive at shutdown
  client.on('connect', () => client.stream?.unref?.());
  return client;
}

/** The user-info part of a Redis URL never reaches a log line. */
const safeUrl = (url: string): string => {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'the configured URL';
  }
};

/**
 * The limiter for a server, or null when requests are not limited. With `[auth] enabled = false`
 * every caller is the local admin on a local machine (development), so nothing is limited; with
 * auth on, every identity (an admin too) is limited, since a leaked admin token is the worst case.
 *
 * With `rate_limit.redis_url` (HELIX_REDIS_URL) the counters live in Redis, shared by every
 * process. An in-memory limiter with the same limits is rate-limiter-flexible's insurance: when
 * Redis is unreachable (before it connects, during an outage) each process counts on its own,
 * so an outage neither opens the gates nor fails requests.
 */
export function createRateLimiter(
  config: HelixConfig,
  now: () => number = Date.now,
  deps: RateLimiterDeps = {},
): RateLimiter | null {
  if (!config.auth.enabled || !config.rate_limit.enabled) return null;
  const limit = config.rate_limit.requests;
  const windowSecs = config.rate_limit.window_secs;
  const memory = new RateLimiterMemory({ points: limit, duration: windowSecs });
  let active: RateLimiterAbstract = memory;
  let client: RedisClientLike | null = null;
  let closed = false;

  const url = config.rate_limit.redis_url;
  if (url || deps.redis) {
    const connect =
      typeof deps.redis === 'function'
        ? deps.redis
        : deps.redis
          ? async () => deps.redis as RedisClientLike
          : connectIoredis;
    connect(url)
      .then((c) => {
        client = c;
        if (closed) return void closeClient(c);
        // ioredis reports every failed reconnect as an 'error' event; unhandled, it would crash
        c.on?.('error', (err) => deps.logger?.debug({ err: err.message }, 'redis rate-limit store error'));
        active = new RateLimiterRedis({
          storeClient: c,
          points: limit,
          duration: windowSecs,
          keyPrefix: 'helix_rl',
          rejectIfRedisNotReady: true,
          insuranceLimiter: memory,
        });
        deps.logger?.info({ url: safeUrl(url) }, 'rate limits counted in redis');
      })
      .catch((err: unknown) => {
        deps.logger?.warn(
          { err: err instanceof Error ? err.message : String(err), url: safeUrl(url) },
          'HELIX_REDIS_URL is set but no redis client could be created (install ioredis): counting rate limits in memory',
        );
      });
  }

  const state = (res: RateLimiterRes): RateLimitState => ({
    limit,
    window_secs: windowSecs,
    remaining: Math.max(0, res.remainingPoints),
    reset_at: new Date(now() + res.msBeforeNext).toISOString(),
    store: active === memory ? 'memory' : 'redis',
  });
  return {
    limit,
    windowSecs,
    get store() {
      return active === memory ? ('memory' as const) : ('redis' as const);
    },
    async consume(key) {
      try {
        return state(await active.consume(key));
      } catch (err) {
        if (!(err instanceof RateLimiterRes)) throw err;
        const retryAfter = Math.max(1, Math.ceil(err.msBeforeNext / 1000));
        throw new HelixError('rate_limited', `rate limit of ${limit} requests per ${windowSecs}s exceeded`, {
          limit,
          window_secs: windowSecs,
          retry_after_secs: retryAfter,
        });
      }
    },
    async close() {
      closed = true;
      if (client) await closeClient(client);
    },
  };
}

async function closeClient(c: RedisClientLike): Promise<void> {
  try {
    if (c.quit) await c.quit();
    else c.disconnect?.();
  } catch {
    c.disconnect?.();
  }
}
