import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText } from 'ai';
import type { HelixConfig } from '../../core/config/schema.js';
import { breakerFor } from '../../security/breakers.js';

/** One prompt in, the model's text out. Recall's rewrites need nothing more from a model. */
export type Complete = (prompt: string, options?: { maxTokens?: number }) => Promise<string>;

const cache = new WeakMap<HelixConfig['llm'], Complete | null>();

/**
 * The `[llm]` OpenAI-compatible model (Ollama by default) as a `Complete`, or null when
 * `[llm] enabled` is false. Retries are off: a rewrite that fails falls back at once, it never
 * holds a recall for several attempts; after repeated failures the endpoint's breaker answers at
 * once instead of waiting for a timeout on every recall.
 */
export function llmFromConfig(config: HelixConfig): Complete | null {
  const llm = config.llm;
  if (cache.has(llm)) return cache.get(llm)!;
  let complete: Complete | null = null;
  if (llm.enabled) {
    const provider = createOpenAICompatible({
      name: 'helix-llm',
      baseURL: llm.base_url,
      ...(llm.api_key ? { apiKey: llm.api_key } : {}),
    });
    const model = provider.chatModel(llm.model);
    const breaker = `llm:${llm.base_url}`;
    complete = (prompt, options = {}) =>
      breakerFor(breaker).execute(async () => {
        const { text } = await generateText({
          model,
          prompt,
          temperature: llm.temperature,
          maxOutputTokens: Math.min(options.maxTokens ?? llm.max_tokens, llm.max_tokens),
          maxRetries: 0,
          abortSignal: AbortSignal.timeout(llm.timeout_secs * 1000),
        });
        return text;
      });
  }
  cache.set(llm, complete);
  return complete;
}
