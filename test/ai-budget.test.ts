import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { resetBreakers } from '../src/security/breakers.js';
import { makeTestAi, type TestAi } from './support/ai.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { startTestWorker, type TestWorker } from './support/worker.js';

let fake: FakeLlm;
let worker: TestWorker | undefined;
let ai: TestAi | undefined;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());
afterEach(async () => {
  resetBreakers();
  await worker?.close();
  worker = undefined;
  ai?.close();
  ai = undefined;
  fake.reset();
});

// input free, output 1,000 USD per million tokens: max_tokens 10 costs exactly 0.01 USD a call
const pricey = { 'worker.prices': ['openai/gpt-4o-mini=0:1000', 'anthropic/claude-haiku-4-5=0:1000'] };
const body = { prompt: 'spend', model: 'openai/gpt-4o-mini', max_tokens: 10 };

describe('budget', () => {
  it('200 concurrent calls with a budget for 50: exactly 50 succeed and spend never exceeds the cap', async () => {
    worker = await startTestWorker(fake, {
      flags: { ...pricey, 'worker.budget_limit': 0.5, 'worker.budget_action': 'reject' },
    });
    fake.set('gpt-4o-mini', { fillMaxTokens: true, delayMs: 5 });
    const ledger = worker.running.worker.ai.ledger;
    let peak = 0;
    const sampler = setInterval(() => {
      const s = ledger.snapshot();
      peak = Math.max(peak, s.spent_usd + s.reserved_usd);
    }, 1);
    const results = await Promise.all(
      Array.from({ length: 200 }, () => worker!.api.post('/api/generate', body)),
    );
    clearInterval(sampler);
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 402)).toHaveLength(150);
    const denied = results.find((r) => r.status === 402)!.body.error;
    expect(denied.code).toBe('budget_exceeded');
    expect(denied.details).toMatchObject({ budget: 'daily', limit_usd: 0.5 });
    expect(denied.details.reset_at).toMatch(/T00:00:00.000Z$/);
    expect(denied.message).toMatch(/daily LLM budget/);
    expect(peak).toBeLessThanOrEqual(0.5 + 1e-9);
    expect(fake.calls).toHaveLength(50);
    const { spent } = worker.running.worker.db
      .prepare("SELECT SUM(cost_usd) AS spent FROM llm_usage WHERE outcome = 'ok'")
      .get() as { spent: number };
    expect(spent).toBeCloseTo(0.5, 9);
    expect(spent).toBeLessThanOrEqual(0.5 + 1e-9);
    const budget = await worker.api.get('/api/budget');
    expect(budget.body).toMatchObject({
      limit_usd: 0.5,
      reserved_usd: 0,
      remaining_usd: 0,
      action: 'reject',
    });
    expect(budget.body.spent_usd).toBeCloseTo(0.5, 9);
    expect(budget.body.providers.openai.spent_usd).toBeCloseTo(0.5, 9);
    expect(budget.body.history).toEqual([
      expect.objectContaining({ provider: 'openai', calls: 200, cost_usd: expect.closeTo(0.5, 9) }),
    ]);
  });

  it('settles the real cost: a reply shorter than max_tokens releases the difference', async () => {
    ai = makeTestAi(fake, { ...pricey, 'worker.budget_limit': 0.05, 'worker.budget_action': 'reject' });
    // each call reserves 0.01 (10 tokens) but uses 3 output tokens ("Echo: spend" = 2 words… + usage)
    for (let i = 0; i < 10; i++)
      await ai.router.generate({
        messages: [{ role: 'user', content: 'spend' }],
        model: 'openai/gpt-4o-mini',
        max_tokens: 10,
      });
    const s = ai.ledger.snapshot();
    expect(s.spent_usd).toBeCloseTo(10 * 2 * 0.001, 9);
    expect(s.reserved_usd).toBe(0);
  });

  it('a failed call releases its reservation', async () => {
    ai = makeTestAi(fake, { ...pricey, 'worker.budget_limit': 0.01, 'worker.budget_action': 'reject' });
    fake.set('gpt-4o-mini', { status: 500, times: 1 });
    const req = {
      messages: [{ role: 'user' as const, content: 'x' }],
      model: 'openai/gpt-4o-mini',
      max_tokens: 10,
    };
    await expect(ai.router.generate(req)).rejects.toMatchObject({ code: 'unavailable' });
    expect(ai.ledger.snapshot()).toMatchObject({ spent_usd: 0, reserved_usd: 0 });
    await expect(ai.router.generate(req)).resolves.toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('per-provider caps: an explicit model is refused, auto moves to another provider', async () => {
    ai = makeTestAi(fake, {
      ...pricey,
      'worker.provider_caps': ['openai=0.02'],
      'worker.budget_action': 'reject',
    });
    fake.set('*', { fillMaxTokens: true });
    const req = {
      messages: [{ role: 'user' as const, content: 'x' }],
      model: 'openai/gpt-4o-mini',
      max_tokens: 10,
    };
    await ai.router.generate(req);
    await ai.router.generate(req);
    const err = await ai.router.generate(req).catch((e: { code: string; details: unknown }) => e);
    expect(err).toMatchObject({
      code: 'budget_exceeded',
      details: { budget: 'provider', provider: 'openai', limit_usd: 0.02 },
    });
    const auto = await ai.router.generate({ messages: req.messages, max_tokens: 10 });
    expect(auto.provider).toBe('anthropic');
    expect(ai.ledger.snapshot().providers.openai).toMatchObject({ cap_usd: 0.02 });
  });

  it('downgrade: over budget, an expensive request moves to the cheapest model meeting its quality floor', async () => {
    ai = makeTestAi(fake, { 'worker.budget_limit': 0.001, 'worker.budget_action': 'downgrade' });
    // gpt-5 at 10 USD/M output: 1000 tokens reserve 0.01 > 0.001 budget
    const r = await ai.router.generate({
      messages: [{ role: 'user', content: 'think hard' }],
      model: 'openai/gpt-5',
      quality: 3,
      max_tokens: 1000,
    });
    expect(r.downgraded).toBe(true);
    // quality ≥ 3, cheapest that fits: gpt-4o-mini reserves 0.0006
    expect(`${r.provider}/${r.model}`).toBe('openai/gpt-4o-mini');
    expect(r.attempts[0]).toEqual({ model: 'openai/gpt-5', outcome: 'budget_daily' });
    const rejected = ai.db.prepare("SELECT model FROM llm_usage WHERE outcome = 'rejected'").all();
    expect(rejected).toEqual([{ model: 'gpt-5' }]);
  });

  it('downgrade with nothing affordable still answers 402 with the budget named', async () => {
    ai = makeTestAi(fake, { 'worker.budget_limit': 0, 'worker.budget_action': 'downgrade' });
    await expect(
      ai.router.generate({ messages: [{ role: 'user', content: 'x' }], model: 'openai/gpt-5' }),
    ).rejects.toMatchObject({ code: 'budget_exceeded', details: { budget: 'daily', limit_usd: 0 } });
  });

  it('spend survives a restart and resets at UTC midnight', async () => {
    ai = makeTestAi(fake, { ...pricey, 'worker.budget_limit': 1 });
    fake.set('*', { fillMaxTokens: true });
    await ai.router.generate({
      messages: [{ role: 'user', content: 'x' }],
      model: 'openai/gpt-4o-mini',
      max_tokens: 10,
    });
    const { BudgetLedger } = await import('../src/ai/budget.js');
    const again = new BudgetLedger(ai.usage, ai.ledger.limits, ai.clock);
    expect(again.snapshot().spent_usd).toBeCloseTo(0.01, 9);
    expect(again.snapshot().reset_at).toBe('2026-03-02T00:00:00.000Z');
    ai.clock.set('2026-03-02T00:00:01.000Z');
    expect(again.snapshot()).toMatchObject({ day: '2026-03-02', spent_usd: 0 });
  });
});
