import fc from 'fast-check';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetBreakers } from '../src/security/breakers.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { startTestServer, type TestServer } from './support/server.js';
import { parseSse, startTestWorker, type TestWorker } from './support/worker.js';

let fake: FakeLlm;
let worker: TestWorker | undefined;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
afterEach(async () => {
  resetBreakers();
  await worker?.close();
  worker = undefined;
  fake.reset();
});

describe('worker REST surface', () => {
  it('POST /api/generate answers JSON with usage and cost, through the shared pipeline', async () => {
    worker = await startTestWorker(fake);
    const res = await worker.api.post('/api/generate', {
      prompt: 'hello worker',
      model: 'openai/gpt-4o',
      max_tokens: 20,
    });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      text: 'Echo: hello worker',
      provider: 'openai',
      model: 'gpt-4o',
      usage: { input_tokens: 3, output_tokens: 3 },
    });
    expect(res.body.cost_usd).toBeGreaterThan(0);
    // the same pipeline as the core: request id, security headers
    const rid = res.headers.get('x-request-id');
    expect(rid).toBeTruthy();
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    const row = worker.running.worker.db
      .prepare('SELECT principal_id, request_id, outcome FROM llm_usage')
      .get();
    expect(row).toEqual({ principal_id: 'local', request_id: rid, outcome: 'ok' });
  });

  it('validates the body and names the field', async () => {
    worker = await startTestWorker(fake);
    const both = await worker.api.post('/api/generate', {
      prompt: 'a',
      messages: [{ role: 'user', content: 'b' }],
    });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toMatch(/prompt/);
    const extra = await worker.api.post('/api/generate', { prompt: 'a', bogus: 1 });
    expect(extra.status).toBe(400);
    const unknown = await worker.api.post('/api/generate', { prompt: 'a', model: 'google/gemini-2.5-pro' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(/GOOGLE_API_KEY/);
  });

  it('streams SSE: start, tokens, done; a mid-stream break ends with an error event', async () => {
    worker = await startTestWorker(fake);
    const res = await worker.api.post('/api/generate', { prompt: 'one two three', stream: true });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/event-stream');
    const events = parseSse(res.text);
    expect(events[0]).toMatchObject({ event: 'start', data: { provider: 'openai', model: 'gpt-4o-mini' } });
    const text = events
      .filter((e) => e.event === 'token')
      .map((e) => e.data.text)
      .join('');
    expect(text).toBe('Echo: one two three');
    expect(events.at(-1)).toMatchObject({ event: 'done', data: { usage: { output_tokens: 4 } } });

    fake.set('gpt-4o-mini', { breakAfterChunks: 1, chunkDelayMs: 30 });
    const broken = parseSse((await worker.api.post('/api/generate', { prompt: 'a b c', stream: true })).text);
    expect(broken.filter((e) => e.event === 'token')).toHaveLength(1);
    expect(broken.at(-1)?.event).toBe('error');
  });

  it('a stream whose providers all fail before the first token answers 503 JSON', async () => {
    worker = await startTestWorker(fake);
    fake.set('*', { status: 500 });
    const res = await worker.api.post('/api/generate', { prompt: 'x', stream: true });
    expect(res.status).toBe(503);
    expect(res.body.error.code).toBe('unavailable');
    expect(res.body.error.details.attempts.length).toBeGreaterThan(1);
  });

  it('GET /api/models lists configured providers with reachability and what would configure the rest', async () => {
    worker = await startTestWorker(fake);
    const res = await worker.api.get('/api/models');
    expect(res.status).toBe(200);
    const ids = res.body.providers.map((p: { id: string }) => p.id);
    expect(ids).toEqual(['anthropic', 'openai']);
    for (const p of res.body.providers) expect(p.reachable).toBe('ok');
    const openai = res.body.providers.find((p: { id: string }) => p.id === 'openai');
    expect(openai.models.find((m: { id: string }) => m.id === 'gpt-4o')).toMatchObject({
      price: { input: 2.5, output: 10 },
      priced: true,
    });
    const unconfigured = Object.fromEntries(
      res.body.unconfigured.map((u: { id: string; env: string[] }) => [u.id, u.env]),
    );
    expect(unconfigured.google).toEqual(['GOOGLE_API_KEY']);
    expect(unconfigured.cloudflare).toEqual(['CLOUDFLARE_API_KEY', 'CLOUDFLARE_ACCOUNT_ID']);
    expect(Object.keys(unconfigured)).toEqual(
      expect.arrayContaining([
        'xai',
        'deepseek',
        'openrouter',
        'ollama',
        'mistral',
        'together',
        'fireworks',
        'perplexity',
        'venice',
        'cohere',
        'bedrock',
      ]),
    );
    // secrets never leave: no key value anywhere in the document
    expect(res.text).not.toContain('sk-fake');
  });

  it('GET /api/stats and /health report calls, breakers and a degraded core', async () => {
    worker = await startTestWorker(fake, { flags: { 'worker.breaker_threshold': 1 } });
    fake.set('gpt-4o-mini', { status: 500 });
    await worker.api.post('/api/generate', { prompt: 'x' });
    const stats = await worker.api.get('/api/stats');
    expect(stats.body.totals).toMatchObject({ calls: 2, ok: 1, errors: 1 });
    expect(stats.body.breakers.openai.state).toBe('open');
    const health = await worker.api.get('/health');
    expect(health.status).toBe(200);
    expect(health.body.status).toBe('degraded');
    expect(health.body.core.status).toBe('unreachable');
    expect(health.body.breakers.openai).toMatchObject({ state: 'open', opened_at: expect.any(String) });
    const metrics = await worker.api.get('/metrics');
    expect(metrics.text).toContain('helix_breaker_state{name="llm:openai"} 2');
  });

  it('health is ok when the core answers', async () => {
    let core: TestServer | undefined;
    try {
      core = await startTestServer();
      worker = await startTestWorker(fake, { flags: { 'worker.core_url': core.url } });
      const health = await worker.api.get('/health');
      expect(health.body).toMatchObject({ status: 'ok', core: { status: 'ok', url: core.url } });
    } finally {
      await core?.close();
    }
  });

  it('requires auth when enabled, and rate limits per identity', async () => {
    worker = await startTestWorker(fake, {
      flags: { 'auth.enabled': true, 'auth.token': 'worker-secret-token', 'rate_limit.requests': 3 },
    });
    expect((await worker.api.get('/api/budget')).status).toBe(401);
    const h = { authorization: 'Bearer worker-secret-token' };
    expect((await worker.api.get('/api/budget', h)).status).toBe(200);
    expect((await worker.api.get('/api/budget', h)).status).toBe(200);
    const third = await worker.api.get('/api/budget', h);
    expect(third.status).toBe(200);
    const limited = await worker.api.get('/api/budget', h);
    expect(limited.status).toBe(429);
    expect((await worker.api.get('/health')).status).toBe(200);
  });

  it('random bodies never produce a 5xx (fuzz)', async () => {
    worker = await startTestWorker(fake);
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.array(fc.anything(), { maxLength: 3 }),
    );
    const body = fc.record(
      {
        prompt: field,
        messages: fc.oneof(
          field,
          fc.array(fc.record({ role: fc.constantFrom('user', 'system', 'assistant', 'x'), content: field }), {
            maxLength: 3,
          }),
        ),
        model: fc.oneof(
          field,
          fc.constantFrom(
            'auto',
            'openai/gpt-4o',
            'openai/',
            '/x',
            'nobody/none',
            'anthropic/claude-haiku-4-5',
          ),
        ),
        provider: fc.oneof(field, fc.constantFrom('openai', 'anthropic', 'google')),
        task: fc.oneof(field, fc.constantFrom('chat', 'code', 'fast', 'reasoning')),
        quality: field,
        max_tokens: fc.oneof(field, fc.integer({ min: -5, max: 300 })),
        temperature: field,
        stream: fc.oneof(field, fc.boolean()),
        extra: field,
      },
      { requiredKeys: [] },
    );
    await fc.assert(
      fc.asyncProperty(body, async (b) => {
        const res = await worker!.api.post('/api/generate', b);
        expect(res.status, `${JSON.stringify(b)} → ${res.text}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  });

  it('a key the core issued is accepted by asking the core who it is', async () => {
    let core: TestServer | undefined;
    try {
      const auth = { 'auth.enabled': true, 'auth.token': 'shared-admin-token' };
      core = await startTestServer({ flags: auth, token: 'shared-admin-token' });
      const created = await core.api.post('/api/v1/keys', {
        name: 'reader',
        role: 'read',
        namespaces: ['default'],
      });
      expect(created.status).toBe(201);
      worker = await startTestWorker(fake, { flags: { ...auth, 'worker.core_url': core.url } });
      const h = { authorization: `Bearer ${created.body.key}` };
      expect((await worker.api.get('/api/budget', h)).status).toBe(200);
      // a read key may look but not spend
      const gen = await worker.api.post('/api/generate', { prompt: 'x' }, h);
      expect(gen.status).toBe(403);
      expect((await worker.api.get('/api/budget', { authorization: 'Bearer not-a-key' })).status).toBe(401);
    } finally {
      await core?.close();
    }
  });
});
