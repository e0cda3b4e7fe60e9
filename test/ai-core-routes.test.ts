import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resetBreakers } from '../src/security/breakers.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { startTestServer, type TestServer } from './support/server.js';
import { waitFor } from './support/temp.js';
import { startTestWorker, type TestWorker } from './support/worker.js';

let fake: FakeLlm;
let worker: TestWorker;
let core: TestServer;
beforeAll(async () => {
  fake = await startFakeLlm();
  worker = await startTestWorker(fake);
  const port = Number(new URL(worker.url).port);
  core = await startTestServer({ flags: { 'worker.host': '127.0.0.1', 'worker.port': port } });
});
afterAll(async () => {
  await core.close();
  await worker.close();
  await fake.close();
  resetBreakers();
});

describe('core /api/v1/ai/* (OpenAI-compatible)', () => {
  it('chat completions go through the AI layer router and come back in OpenAI shape', async () => {
    const res = await core.api.post('/api/v1/ai/chat/completions', {
      model: 'openai/gpt-4o',
      messages: [{ role: 'user', content: 'proxy me' }],
      max_tokens: 20,
    });
    expect(res.status, res.text).toBe(200);
    expect(res.body).toMatchObject({
      object: 'chat.completion',
      model: 'openai/gpt-4o',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'Echo: proxy me' }, finish_reason: 'stop' },
      ],
      usage: { prompt_tokens: 2, completion_tokens: 3, total_tokens: 5 },
    });
    const usage = worker.running.worker.db.prepare('SELECT model FROM llm_usage').all();
    expect(usage).toEqual([{ model: 'gpt-4o' }]);
  });

  it('streams OpenAI chunks ending with [DONE]', async () => {
    const res = await core.api.post('/api/v1/ai/chat/completions', {
      model: 'auto',
      messages: [{ role: 'user', content: 'a b' }],
      stream: true,
    });
    expect(res.status).toBe(200);
    const data = res.text
      .split('\n\n')
      .filter(Boolean)
      .map((b) => b.replace(/^data: /, ''));
    expect(data.at(-1)).toBe('[DONE]');
    const chunks = data.slice(0, -1).map((d) => JSON.parse(d));
    expect(chunks.map((c) => c.choices[0].delta.content ?? '').join('')).toBe('Echo: a b');
    expect(chunks.at(-1)).toMatchObject({
      model: 'openai/gpt-4o-mini',
      choices: [{ finish_reason: 'stop' }],
    });
  });

  it('lists models, reports the AI layer health, and passes errors through (bad model → 400)', async () => {
    const health = await core.api.get('/api/v1/ai/health');
    expect(health.body).toMatchObject({ status: 'degraded', providers: { configured: 2 } });
    const models = await core.api.get('/api/v1/ai/models');
    expect(models.body.data.map((m: { id: string }) => m.id)).toEqual(
      expect.arrayContaining(['auto', 'openai/gpt-4o', 'anthropic/claude-haiku-4-5']),
    );
    const bad = await core.api.post('/api/v1/ai/chat/completions', {
      model: 'google/gemini-2.5-pro',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/GOOGLE_API_KEY/);
  });

  it('embeddings come from the core embedder', async () => {
    await waitFor(
      async () => (await core.api.post('/api/v1/ai/embeddings', { input: 'x' })).status === 200,
      'embedder ready',
    );
    const res = await core.api.post('/api/v1/ai/embeddings', { input: ['hello world', 'graph databases'] });
    expect(res.body.object).toBe('list');
    expect(res.body.data).toHaveLength(2);
    expect(res.body.data[0].embedding.length).toBeGreaterThan(8);
    expect(res.body.model).toMatch(/^hash:/);
  });

  it('with the AI layer down the proxy says so (503)', async () => {
    const lone = await startTestServer({ flags: { 'worker.port': 9 } });
    try {
      const res = await lone.api.post('/api/v1/ai/chat/completions', {
        model: 'auto',
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.status).toBe(503);
      expect(res.body.error.message).toMatch(/AI layer .* unreachable/);
      const models = await lone.api.get('/api/v1/ai/models');
      expect(models.body).toMatchObject({ data: [], helix: { worker: 'unreachable' } });
      const health = await lone.api.get('/api/v1/ai/health');
      expect(health.body).toMatchObject({ status: 'unreachable' });
    } finally {
      await lone.close();
    }
  });

  it('assist: grounded completion, autocomplete, links by meaning, transforms', async () => {
    const note = await core.api.post('/api/v1/nodes', {
      title: 'Quarterly planning',
      content: 'The quarterly planning meeting sets the roadmap for the payments team.',
    });
    const completion = await core.api.post('/api/v1/assist/completion', {
      text: 'Our quarterly planning meeting',
    });
    expect(completion.status, completion.text).toBe(200);
    expect(completion.body.suggestion).toBe('Echo: Our quarterly planning meeting');
    expect(completion.body.sources.map((x: { id: string }) => x.id)).toContain(note.body.id);
    const system = fake.calls.at(-1)!.messages.find((m) => m.role === 'system' || m.role === 'developer');
    expect(String(system?.content)).toContain('roadmap for the payments team');

    fake.set('*', { text: '1. one\n2. two\n- three\nfour' });
    const auto = await core.api.post('/api/v1/assist/autocomplete', { prefix: 'The payments', limit: 3 });
    expect(auto.body.completions).toEqual(['one', 'two', 'three']);
    fake.reset();

    const links = await core.api.post('/api/v1/assist/links', { text: 'quarterly planning roadmap' });
    expect(links.body.links[0]).toMatchObject({ id: note.body.id, wikilink: '[[Quarterly planning]]' });

    const t = await core.api.post('/api/v1/assist/transform', {
      text: 'Ship it Friday',
      operation: 'action_items',
    });
    expect(t.body).toMatchObject({ operation: 'action_items', result: 'Echo: Ship it Friday' });
    expect(String(fake.calls.at(-1)!.messages[0]!.content)).toMatch(/action items/);
    const bad = await core.api.post('/api/v1/assist/transform', { text: 'x', operation: 'translate' });
    expect(bad.status).toBe(400);
  });
});
