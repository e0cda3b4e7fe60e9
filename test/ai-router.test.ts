import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetBreakers } from '../src/security/breakers.js';
import { HelixError } from '../src/core/errors.js';
import { makeTestAi, type TestAi } from './support/ai.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';

let fake: FakeLlm;
let ai: TestAi | undefined;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
afterEach(() => {
  resetBreakers();
  ai?.close();
  ai = undefined;
  fake.reset();
});

const user = (content: string) => [{ role: 'user' as const, content }];

describe('router against the loopback fake', () => {
  it('explicit provider/model wins and usage + cost are recorded', async () => {
    ai = makeTestAi(fake);
    const r = await ai.router.generate({
      messages: user('hello there'),
      model: 'openai/gpt-4o',
      max_tokens: 50,
    });
    expect(r).toMatchObject({ provider: 'openai', model: 'gpt-4o', text: 'Echo: hello there' });
    expect(fake.calls.map((c) => c.model)).toEqual(['gpt-4o']);
    expect(fake.calls[0]!.authorization).toBe('Bearer sk-fake-openai');
    expect(r.usage).toEqual({ input_tokens: 3, output_tokens: 3 });
    // gpt-4o: 2.5 in / 10 out per million
    expect(r.cost_usd).toBeCloseTo((3 * 2.5 + 3 * 10) / 1e6, 12);
    const rows = ai.db
      .prepare('SELECT provider, model, outcome, input_tokens, output_tokens, cost_usd FROM llm_usage')
      .all();
    expect(rows).toEqual([
      {
        provider: 'openai',
        model: 'gpt-4o',
        outcome: 'ok',
        input_tokens: 3,
        output_tokens: 3,
        cost_usd: r.cost_usd,
      },
    ]);
  });

  it('anthropic format: generate and stream through @ai-sdk/anthropic', async () => {
    ai = makeTestAi(fake);
    const r = await ai.router.generate({ messages: user('bonjour'), model: 'anthropic/claude-haiku-4-5' });
    expect(r).toMatchObject({ provider: 'anthropic', text: 'Echo: bonjour' });
    expect(fake.calls[0]!.path).toBe('/v1/messages');
    const s = await ai.router.stream({
      messages: user('one two three'),
      model: 'anthropic/claude-sonnet-4-5',
    });
    const events = [];
    for await (const e of s.events) events.push(e);
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    expect(text).toBe('Echo: one two three');
    expect(events.at(-1)).toMatchObject({ type: 'done', result: { usage: { output_tokens: 4 } } });
  });

  it('auto picks the cheapest healthy model meeting the task floor', async () => {
    ai = makeTestAi(fake);
    const chat = await ai.router.generate({ messages: user('hi') });
    expect(`${chat.provider}/${chat.model}`).toBe('openai/gpt-4o-mini'); // quality 3, cheapest
    const reasoning = await ai.router.generate({ messages: user('why'), task: 'reasoning' });
    expect(`${reasoning.provider}/${reasoning.model}`).toBe('openai/gpt-5-mini'); // quality 4
    const fast = await ai.router.generate({ messages: user('quick'), task: 'fast' });
    expect(`${fast.provider}/${fast.model}`).toBe('openai/gpt-5-nano');
    const best = await ai.router.generate({ messages: user('hard'), quality: 5 });
    expect(`${best.provider}/${best.model}`).toBe('openai/gpt-5');
  });

  it.each([429, 500, 503])('falls back to the next candidate on %i', async (status) => {
    ai = makeTestAi(fake);
    fake.set('gpt-4o-mini', { status });
    const r = await ai.router.generate({ messages: user('hi') });
    expect(r.model).not.toBe('gpt-4o-mini');
    expect(r.attempts[0]).toEqual({ model: 'openai/gpt-4o-mini', outcome: `http_${status}` });
    const outcomes = ai.db.prepare('SELECT outcome, error_code FROM llm_usage ORDER BY seq').all();
    expect(outcomes).toEqual([
      { outcome: 'error', error_code: `http_${status}` },
      { outcome: 'ok', error_code: null },
    ]);
  });

  it('falls back on a timeout', async () => {
    ai = makeTestAi(fake, { 'worker.request_timeout_secs': 1 });
    fake.set('gpt-4o-mini', { delayMs: 1500 });
    const r = await ai.router.generate({ messages: user('hi') });
    expect(r.attempts[0]).toEqual({ model: 'openai/gpt-4o-mini', outcome: 'timeout' });
    expect(r.model).not.toBe('gpt-4o-mini');
  });

  it('does not fall back on a 400, nor away from an explicit model', async () => {
    ai = makeTestAi(fake);
    fake.set('gpt-4o-mini', { status: 400 });
    await expect(ai.router.generate({ messages: user('hi') })).rejects.toMatchObject({
      code: 'validation_error',
    });
    expect(fake.calls).toHaveLength(1);
    fake.set('gpt-4o', { status: 500 });
    await expect(ai.router.generate({ messages: user('hi'), model: 'openai/gpt-4o' })).rejects.toMatchObject({
      code: 'unavailable',
    });
  });

  it('opens a provider breaker after consecutive failures and skips it', async () => {
    ai = makeTestAi(fake, { 'worker.breaker_threshold': 2 });
    fake.set('gpt-4o-mini', { status: 500 });
    fake.set('gpt-5-mini', { status: 500 });
    // openai fails twice (gpt-4o-mini, then gpt-5-mini): open; anthropic/claude-haiku-4-5 answers
    const r = await ai.router.generate({ messages: user('hi') });
    expect(r.provider).toBe('anthropic');
    expect(ai.breakers.state('openai')).toBe('open');
    fake.calls.length = 0;
    const again = await ai.router.generate({ messages: user('hi') });
    expect(again.provider).toBe('anthropic');
    expect(fake.calls.every((c) => c.path === '/v1/messages')).toBe(true);
    expect(ai.breakers.snapshot().openai).toMatchObject({ state: 'open', failures: 2 });
  });

  it('streams with fallback before the first token and an error event after it', async () => {
    ai = makeTestAi(fake);
    fake.set('gpt-4o-mini', { status: 429 });
    const s = await ai.router.stream({ messages: user('a b c d e f') });
    expect(s.model).not.toBe('gpt-4o-mini');
    let text = '';
    for await (const e of s.events) if (e.type === 'delta') text += e.text;
    expect(text).toBe('Echo: a b c d e f');

    fake.reset();
    fake.set('gpt-4o-mini', { breakAfterChunks: 2, chunkDelayMs: 30 });
    const broken = await ai.router.stream({ messages: user('a b c d e f') });
    const events = [];
    for await (const e of broken.events) events.push(e);
    expect(events.filter((e) => e.type === 'delta').length).toBe(2);
    expect(events.at(-1)).toMatchObject({ type: 'error' });
    // no second provider was tried after tokens had gone out
    expect(fake.calls).toHaveLength(1);
    const last = ai.db.prepare('SELECT outcome FROM llm_usage ORDER BY seq DESC LIMIT 1').get();
    expect(last).toEqual({ outcome: 'error' });
  });

  it('without providers it says how to configure one', async () => {
    ai = makeTestAi(fake, { 'worker.base_urls': [] }, {});
    const err = await ai.router.generate({ messages: user('hi') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HelixError);
    expect((err as HelixError).message).toMatch(/OPENAI_API_KEY/);
  });
});
