import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { HelixConfig } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import type { Principal } from './principal.js';

/** What `GET /api/v1/rate-limits` shows and what the pipeline records per request. */
export interface RateLimitState {
  limit: number;
  window_secs: number;
  remaining: number;
  reset_at: string;
}

export interface RateLimiter {
  readonly limit: number;
  readonly windowSecs: number;
  /** spends one request for `key`; throws `rate_limited` (429, Retry-After) past the limit */
  consume(key: string): Promise<RateLimitState>;
}

/**
 * The bucket a request is counted in: the authenticated identity, or else the socket's peer
 * address. Never X-Forwarded-For or any other header: a client sets those and would get a fresh
 * bucket per request. (Behind a trusted proxy this needs an explicit opt-in, not a header read.)
 */
export const rateLimitKey = (principal: Principal | undefined, remoteAddress: string | undefined): string =>
  principal ? `${principal.via}:${principal.id}` : `ip:${remoteAddress ?? 'unknown'}`;

/**
 * The limiter for a server, or null when requests are not limited. With `[auth] enabled = false`
 * every caller is the local admin on a local machine (development), so nothing is limited; with
 * auth on, every identity (an admin too) is limited, since a leaked admin token is the worst case.
 */
export function createRateLimiter(config: HelixConfig, now: () => number = Date.now): RateLimiter | null {
  if (!config.auth.enabled || !config.rate_limit.enabled) return null;
  const limit = config.rate_limit.requests;
  const windowSecs = config.rate_limit.window_secs;
  // In memory: one process, one map of counters with timers; a Redis store can replace it later.
  const memory = new RateLimiterMemory({ points: limit, duration: windowSecs });
  const state = (res: RateLimiterRes): RateLimitState => ({
    limit,
    window_secs: windowSecs,
    remaining: Math.max(0, res.remainingPoints),
    reset_at: new Date(now() + res.msBeforeNext).toISOString(),
  });
  return {
    limit,
    windowSecs,
    async consume(key) {
      try {
        return state(await memory.consume(key));
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
  };
}
