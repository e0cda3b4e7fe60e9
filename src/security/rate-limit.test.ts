import { describe, expect, it } from 'vitest';
import { configSchema } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import { createRateLimiter, rateLimitKey } from './rate-limit.js';

const limited = (requests: number) =>
  configSchema.parse({ auth: { enabled: true }, rate_limit: { requests, window_secs: 30 } });

describe('createRateLimiter', () => {
  it('does not limit local development (auth off) or when disabled', () => {
    expect(createRateLimiter(configSchema.parse({}))).toBeNull();
    const off = configSchema.parse({ auth: { enabled: true }, rate_limit: { enabled: false } });
    expect(createRateLimiter(off)).toBeNull();
  });

  it('counts down per key and answers rate_limited with retry details past the limit', async () => {
    const limiter = createRateLimiter(limited(2), () => 0)!;
    expect(await limiter.consume('a')).toEqual({
      limit: 2,
      window_secs: 30,
      remaining: 1,
      reset_at: new Date(30_000).toISOString(),
    });
    expect((await limiter.consume('a')).remaining).toBe(0);
    const err = await limiter.consume('a').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelixError);
    expect(err).toMatchObject({ code: 'rate_limited', details: { limit: 2, window_secs: 30 } });
    const retry = (err as HelixError).details?.retry_after_secs as number;
    expect(retry).toBeGreaterThanOrEqual(1);
    expect(retry).toBeLessThanOrEqual(30);
    // another key has its own bucket
    expect((await limiter.consume('b')).remaining).toBe(1);
  });

  it('keys by identity when known, else by the peer address only', () => {
    const p = { id: 'alice', role: 'read', namespaces: ['*'], via: 'jwt' } as const;
    expect(rateLimitKey(p, '127.0.0.1')).toBe('jwt:alice');
    expect(rateLimitKey(undefined, '127.0.0.1')).toBe('ip:127.0.0.1');
    // a jwt subject named like the shared token's id cannot share its bucket
    expect(rateLimitKey({ ...p, id: 'token' }, undefined)).not.toBe(
      rateLimitKey({ ...p, id: 'token', via: 'token' }, undefined),
    );
  });
});
