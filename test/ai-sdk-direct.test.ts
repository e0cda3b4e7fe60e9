import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChatMessage } from '../src/ai/router-types.js';
import { complete, loadSdk } from '../src/ai/sdk.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';

/**
 * The router calls the provider model's doGenerate itself instead of generateText (sdk.ts): the
 * provider must receive the same request and the caller get the same text, usage and errors.
 */
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(() => fake.close());

interface Sent {
  url: string;
  headers: Record<string, string>;
  body: unknown;
}

/** a fetch that records what the provider package sends, then sends it */
function recording(): { fetch: typeof globalThis.fetch; sent: Sent[] } {
  const sent: Sent[] = [];
  const fetch: typeof globalThis.fetch = (input, init) => {
    const headers = Object.fromEntries(new Headers(init?.headers).entries());
    sent.push({ url: String(input), headers, body: JSON.parse(String(init?.body)) });
    return globalThis.fetch(input, init);
  };
  return { fetch, sent };
}

const models = {
  openai: async (fetch: typeof globalThis.fetch) =>
    (await import('@ai-sdk/openai'))
      .createOpenAI({ baseURL: fake.openaiBase, apiKey: 'k', fetch })
      .chat('gpt-4o-mini'),
  anthropic: async (fetch: typeof globalThis.fetch) =>
    (await import('@ai-sdk/anthropic')).createAnthropic({ baseURL: fake.anthropicBase, apiKey: 'k', fetch })(
      'claude-haiku-4-5',
    ),
  'openai-compatible': async (fetch: typeof globalThis.fetch) =>
    (await import('@ai-sdk/openai-compatible')).createOpenAICompatible({
      name: 'custom',
      baseURL: fake.openaiBase,
      apiKey: 'k',
      includeUsage: true,
      fetch,
    })('gpt-4o-mini'),
};

const conversation: ChatMessage[] = [
  { role: 'system', content: 'be brief' },
  { role: 'user', content: 'hello' },
  { role: 'assistant', content: 'hi' },
  { role: 'user', content: 'how are you' },
];

describe('complete(): doGenerate without the generateText wrapper', () => {
  for (const [name, make] of Object.entries(models)) {
    it(`${name}: same request, text and usage as generateText`, async () => {
      const sdk = await loadSdk();
      const a = recording();
      const b = recording();
      const settings = { maxOutputTokens: 32, temperature: 0.3 };
      const viaWrapper = await sdk.generateText({
        model: await make(a.fetch),
        messages: conversation,
        allowSystemInMessages: true,
        ...settings,
        maxRetries: 0,
        abortSignal: new AbortController().signal,
      });
      const direct = await complete(sdk, await make(b.fetch), {
        messages: conversation,
        ...settings,
        abortSignal: new AbortController().signal,
      });
      expect(b.sent).toEqual(a.sent);
      expect(b.sent[0]!.headers['user-agent']).toMatch(/^ai\/\d/);
      expect(direct).toEqual({
        text: viaWrapper.text,
        inputTokens: viaWrapper.usage.inputTokens,
        outputTokens: viaWrapper.usage.outputTokens,
      });
      expect(direct.text).toBe('Echo: how are you');
    });
  }

  it('provider errors and bad arguments surface as generateText raises them', async () => {
    const sdk = await loadSdk();
    const lm = await models.openai(globalThis.fetch);
    const base = { messages: conversation, abortSignal: new AbortController().signal };
    const both = async (settings: { maxOutputTokens: number; messages?: ChatMessage[] }) => {
      const s = { ...base, ...settings };
      const wrapped = await sdk
        .generateText({ model: lm, ...s, allowSystemInMessages: true, maxRetries: 0 })
        .then(
          () => undefined,
          (e: Error) => e,
        );
      const direct = await complete(sdk, lm, s).then(
        () => undefined,
        (e: Error) => e,
      );
      return [wrapped, direct] as const;
    };
    fake.set('gpt-4o-mini', { status: 429 });
    try {
      const [w, d] = await both({ maxOutputTokens: 16 });
      expect(d).toMatchObject({ name: w!.name, statusCode: 429, message: w!.message });
      expect(d!.name).toBe('AI_APICallError');
    } finally {
      fake.reset();
    }
    for (const bad of [
      { maxOutputTokens: 0 },
      { maxOutputTokens: 1.5 },
      { maxOutputTokens: 8, messages: [] },
    ]) {
      const [w, d] = await both(bad);
      expect(d).toMatchObject({ name: w!.name, message: w!.message });
    }
  });
});
