import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { breakerFor, resetBreakers } from '../src/security/breakers.js';
import { startTestServer, type TestServer } from './support/server.js';

/** Breaker states as operators see them: `/api/v1/health` details and the Prometheus gauge. */
describe('circuit breaker states in /health and /metrics', () => {
  let s: TestServer;
  beforeAll(async () => {
    resetBreakers();
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
    resetBreakers();
  });

  it('reports each breaker by name with its state, failures and opening time', async () => {
    const ok = breakerFor('llm:test-provider', { threshold: 2, halfOpenAfterMs: 60_000 });
    await ok.execute(async () => 'fine');
    const bad = breakerFor('webhook:test-hook', { threshold: 2, halfOpenAfterMs: 60_000 });
    for (let i = 0; i < 2; i++)
      await expect(bad.execute(() => Promise.reject(new Error('ECONNREFUSED')))).rejects.toThrow();

    const health = await s.api.get('/api/v1/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('ok');
    expect(health.body.breakers).toEqual([
      { name: 'llm:test-provider', state: 'closed', failures: 0, opened_at: null },
      { name: 'webhook:test-hook', state: 'open', failures: 2, opened_at: expect.any(String) },
    ]);

    const metrics = await s.api.get('/metrics');
    expect(metrics.text).toContain('# TYPE helix_breaker_state gauge');
    expect(metrics.text).toMatch(/helix_breaker_state\{name="llm:test-provider"\} 0/);
    expect(metrics.text).toMatch(/helix_breaker_state\{name="webhook:test-hook"\} 2/);
  });
});
