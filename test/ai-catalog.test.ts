import { describe, expect, it } from 'vitest';
import { buildCatalog, envKeys } from '../src/ai/catalog.js';
import { buildPriceTable } from '../src/ai/prices.js';
import { providerSpecs } from '../src/ai/providers.js';
import { loadConfig } from '../src/core/config/load.js';
import { tempDir } from './support/temp.js';

const config = (flags: Record<string, unknown> = {}, env: Record<string, string> = {}) =>
  loadConfig({ home: tempDir(), env, flags }).config;

describe('provider catalog', () => {
  it('knows the providers of the issue, each with its key variables', () => {
    expect(providerSpecs.map((p) => p.id)).toEqual([
      'anthropic',
      'openai',
      'google',
      'xai',
      'deepseek',
      'openrouter',
      'ollama',
      'mistral',
      'together',
      'fireworks',
      'perplexity',
      'cloudflare',
      'venice',
      'cohere',
      'bedrock',
    ]);
    const prices = buildPriceTable([]);
    // every built-in model has a price (ollama is free), so budgets hold for all of them
    for (const p of providerSpecs)
      for (const m of p.models) expect(prices.has(`${p.id}/${m.id}`), `${p.id}/${m.id}`).toBe(true);
  });

  it('configures a provider only when all its variables are set', () => {
    const env = { OPENAI_API_KEY: 'k1', CLOUDFLARE_API_KEY: 'cf', XAI_API_KEY: ' ' };
    const c = buildCatalog(config(), envKeys(env));
    expect(c.providers.map((p) => p.spec.id)).toEqual(['openai']);
    expect(c.unconfigured.find((u) => u.id === 'cloudflare')?.env).toEqual([
      'CLOUDFLARE_API_KEY',
      'CLOUDFLARE_ACCOUNT_ID',
    ]);
    const cf = buildCatalog(config(), envKeys({ CLOUDFLARE_API_KEY: 'cf', CLOUDFLARE_ACCOUNT_ID: 'acc123' }));
    expect(cf.provider('cloudflare')?.baseUrl).toBe(
      'https://api.cloudflare.com/client/v4/accounts/acc123/ai/v1',
    );
  });

  it('base URL overrides, extra models, price overrides, custom endpoints, Ollama and [llm]', () => {
    const c = buildCatalog(
      config({
        'worker.base_urls': ['openai=http://127.0.0.1:1/v1/', 'ollama=http://127.0.0.1:11434/v1'],
        'worker.models': ['openai/my-finetune', 'corp/llama-70b'],
        'worker.prices': ['openai/gpt-4o=1:2', 'corp/llama-70b=0.5:0.5'],
        'worker.custom_providers': ['corp=https://llm.corp.example/v1'],
        'llm.enabled': true,
      }),
      envKeys({ OPENAI_API_KEY: 'k', CORP_API_KEY: 'corp-key' }),
    );
    expect(c.providers.map((p) => p.spec.id)).toEqual(['openai', 'ollama', 'corp', 'llm']);
    expect(c.provider('openai')?.baseUrl).toBe('http://127.0.0.1:1/v1');
    expect(c.model('openai/gpt-4o')?.price).toEqual({ input: 1, output: 2 });
    expect(c.model('openai/my-finetune')).toMatchObject({ priced: false, price: { input: 0, output: 0 } });
    expect(c.model('corp/llama-70b')).toMatchObject({ priced: true, price: { input: 0.5, output: 0.5 } });
    expect(c.provider('corp')?.credentials).toEqual({ CORP_API_KEY: 'corp-key' });
    expect(c.model('llm/llama3.2')).toBeDefined();
    expect(c.provider('llm')?.baseUrl).toBe('http://localhost:11434/v1');
  });

  it('rejects malformed entries with the key named', () => {
    expect(() => buildCatalog(config({ 'worker.prices': ['gpt-4o=1'] }), envKeys({}))).toThrow(
      /\[worker\] prices/,
    );
    expect(() => buildCatalog(config({ 'worker.models': ['nomodel'] }), envKeys({}))).toThrow(
      /\[worker\] models/,
    );
  });

  it('HELIX_DAILY_BUDGET and HELIX_BUDGET_ACTION set the budget', () => {
    const c = config({}, { HELIX_DAILY_BUDGET: '12.5', HELIX_BUDGET_ACTION: 'reject' });
    expect(c.worker).toMatchObject({ budget_limit: 12.5, budget_action: 'reject' });
    expect(config().worker).toMatchObject({ budget_limit: 100, budget_action: 'downgrade', port: 8200 });
  });
});
