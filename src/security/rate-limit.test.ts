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
      store: 'memory',
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

/**
 * An in-process stand-in for an ioredis client: it runs rate-limiter-flexible's INCR+TTL script
 * semantics on a Map, and can be switched to "down" (not ready, or every command failing) to
 * play a Redis outage. rate-limiter-flexible's real RateLimiterRedis drives it.
 */
class FakeRedis {
  status = 'ready';
  failing = false;
  calls = 0;
  quitCalled = false;
  readonly data = new Map<string, { n: number; expires: number }>();
  defineCommand(name: string) {
    expect(name).toBe('rlflxIncr');
  }
  async rlflxIncr([key, points, secs]: string[]): Promise<[number, number]> {
    this.calls++;
    if (this.failing) throw new Error('Command timed out');
    const now = Date.now();
    let e = this.data.get(key!);
    if (!e || e.expires <= now) {
      e = { n: 0, expires: now + Number(secs) * 1000 };
      this.data.set(key!, e);
    }
    e.n += Number(points);
    return [e.n, e.expires - now];
  }
  on() {
    return this;
  }
  async quit() {
    this.quitCalled = true;
  }
}

const redisConfig = (requests: number) =>
  configSchema.parse({
    auth: { enabled: true },
    rate_limit: { requests, window_secs: 30, redis_url: 'redis://:pw-secret@127.0.0.1:6379' },
  });

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('createRateLimiter with Redis (HELIX_REDIS_URL)', () => {
  it('counts in Redis, shared by every process using it', async () => {
    const redis = new FakeRedis();
    const a = createRateLimiter(redisConfig(3), Date.now, { redis: redis as never })!;
    const b = createRateLimiter(redisConfig(3), Date.now, { redis: redis as never })!;
    await settle();
    expect(a.store).toBe('redis');
    expect((await a.consume('k')).remaining).toBe(2);
    expect((await b.consume('k')).remaining).toBe(1);
    expect((await a.consume('k')).remaining).toBe(0);
    await expect(b.consume('k')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(redis.data.get('helix_rl:k')?.n).toBe(4);
    await a.close();
    expect(redis.quitCalled).toBe(true);
  });

  it('keeps limiting in memory during an outage: no open gates, no failed requests', async () => {
    const redis = new FakeRedis();
    const limiter = createRateLimiter(redisConfig(2), Date.now, { redis: redis as never })!;
    await settle();
    redis.failing = true;
    expect((await limiter.consume('k')).remaining).toBe(1);
    expect((await limiter.consume('k')).remaining).toBe(0);
    await expect(limiter.consume('k')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(redis.calls).toBe(3);
    // not connected: the insurance limiter answers without even trying Redis
    redis.failing = false;
    redis.status = 'reconnecting';
    await expect(limiter.consume('k')).rejects.toMatchObject({ code: 'rate_limited' });
    expect((await limiter.consume('other')).remaining).toBe(1);
    expect(redis.calls).toBe(3);
  });

  it('falls back to memory, and says so without the password, when no client can be made', async () => {
    const warnings: unknown[] = [];
    const logger = { warn: (o: unknown, m: string) => warnings.push([o, m]), info() {}, debug() {} };
    const limiter = createRateLimiter(redisConfig(1), Date.now, {
      logger: logger as never,
      redis: async () => {
        throw new Error("Cannot find package 'ioredis'");
      },
    })!;
    await settle();
    expect(limiter.store).toBe('memory');
    expect((await limiter.consume('k')).remaining).toBe(0);
    await expect(limiter.consume('k')).rejects.toMatchObject({ code: 'rate_limited' });
    expect(JSON.stringify(warnings)).toMatch(/install ioredis/);
    expect(JSON.stringify(warnings)).not.toContain('pw-secret');
  });
});

describe('createRateLimiter with HELIX_REDIS_URL and the default client', () => {
  it('loads ioredis when installed; without it, warns once and keeps counting in memory', async () => {
    let installed = true;
    try {
      await import('ioredis' as string);
    } catch {
      installed = false;
    }
    if (installed) return; // covered by the injected-client tests above; no Redis server here
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, m: string) => warnings.push(m), info() {}, debug() {} };
    const limiter = createRateLimiter(redisConfig(1), Date.now, { logger: logger as never })!;
    for (let i = 0; i < 100 && warnings.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(warnings).toEqual([expect.stringMatching(/install ioredis/)]);
    expect(limiter.store).toBe('memory');
    expect((await limiter.consume('k')).remaining).toBe(0);
    await limiter.close();
  });
});
