import { RateLimiterMemory } from 'rate-limiter-flexible';
import type { HelixConfig } from '../../core/config/schema.js';
import { HelixError } from '../../core/errors.js';

/**
 * Counts failed attempts per peer on public routes that check a secret themselves (the OAuth
 * token endpoint, public shares), which the pipeline's limiter skips. Past `[rate_limit]
 * requests` failures in a window the peer is refused before any secret is checked, so a correct
 * guess made after the limit does not get through either.
 */
export interface FailureLimiter {
  /** throws `rate_limited` (429, Retry-After) while `key` is over its failure budget */
  check(key: string): Promise<void>;
  /** records one failure for `key` */
  fail(key: string): Promise<void>;
}

export function createFailureLimiter(config: HelixConfig): FailureLimiter | null {
  // like the pipeline: local development (auth off) is not limited
  if (!config.auth.enabled || !config.rate_limit.enabled) return null;
  const points = config.rate_limit.requests;
  const windowSecs = config.rate_limit.window_secs;
  const memory = new RateLimiterMemory({ points, duration: windowSecs });
  return {
    async check(key) {
      const res = await memory.get(key);
      if (res && res.consumedPoints >= points) {
        const retryAfter = Math.max(1, Math.ceil(res.msBeforeNext / 1000));
        throw new HelixError('rate_limited', `too many failed attempts: retry in ${retryAfter}s`, {
          limit: points,
          window_secs: windowSecs,
          retry_after_secs: retryAfter,
        });
      }
    },
    async fail(key) {
      await memory.penalty(key, 1);
    },
  };
}
