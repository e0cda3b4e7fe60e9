/**
 * List prices in USD per million tokens (input, output), transcribed by hand from each provider's
 * public pricing page (the addresses below; figures as published in 2025-H2, standard tier, no
 * caching or batch discounts). They drift: `[worker] prices = ["provider/model=in:out"]` overrides
 * any entry and adds missing ones. Unknown models cost 0 (and say so in /api/models).
 *
 * anthropic   https://www.anthropic.com/pricing#api
 * openai      https://openai.com/api/pricing/
 * google      https://ai.google.dev/gemini-api/docs/pricing
 * xai         https://docs.x.ai/docs/models
 * deepseek    https://api-docs.deepseek.com/quick_start/pricing
 * openrouter  https://openrouter.ai/models (passes the upstream price through)
 * mistral     https://mistral.ai/pricing#api-pricing
 * together    https://www.together.ai/pricing
 * fireworks   https://fireworks.ai/pricing
 * perplexity  https://docs.perplexity.ai/guides/pricing (per-request search fees not included)
 * cloudflare  https://developers.cloudflare.com/workers-ai/platform/pricing/ (neurons, converted)
 * venice      https://docs.venice.ai/overview/pricing
 * cohere      https://cohere.com/pricing
 * bedrock     https://aws.amazon.com/bedrock/pricing/ (us-east-1, on demand)
 * ollama      local: free
 */
export interface Price {
  input: number;
  output: number;
}

const table: Record<string, [number, number]> = {
  'anthropic/claude-opus-4-1': [15, 75],
  'anthropic/claude-sonnet-4-5': [3, 15],
  'anthropic/claude-haiku-4-5': [1, 5],
  'openai/gpt-5': [1.25, 10],
  'openai/gpt-5-mini': [0.25, 2],
  'openai/gpt-5-nano': [0.05, 0.4],
  'openai/gpt-4o': [2.5, 10],
  'openai/gpt-4o-mini': [0.15, 0.6],
  'google/gemini-2.5-pro': [1.25, 10],
  'google/gemini-2.5-flash': [0.3, 2.5],
  'google/gemini-2.5-flash-lite': [0.1, 0.4],
  'xai/grok-4': [3, 15],
  'xai/grok-3-mini': [0.3, 0.5],
  'deepseek/deepseek-chat': [0.27, 1.1],
  'deepseek/deepseek-reasoner': [0.55, 2.19],
  'openrouter/anthropic/claude-sonnet-4.5': [3, 15],
  'openrouter/openai/gpt-4o-mini': [0.15, 0.6],
  'ollama/llama3.2': [0, 0],
  'mistral/mistral-large-latest': [2, 6],
  'mistral/codestral-latest': [0.3, 0.9],
  'mistral/mistral-small-latest': [0.1, 0.3],
  'together/meta-llama/Llama-3.3-70B-Instruct-Turbo': [0.88, 0.88],
  'fireworks/accounts/fireworks/models/llama-v3p1-70b-instruct': [0.9, 0.9],
  'perplexity/sonar-pro': [3, 15],
  'perplexity/sonar': [1, 1],
  'cloudflare/@cf/meta/llama-3.1-8b-instruct': [0.28, 0.83],
  'venice/llama-3.3-70b': [0.7, 2.8],
  'cohere/command-a-03-2025': [2.5, 10],
  'cohere/command-r7b-12-2024': [0.0375, 0.15],
  'bedrock/anthropic.claude-sonnet-4-20250514-v1:0': [3, 15],
  'bedrock/amazon.nova-pro-v1:0': [0.8, 3.2],
  'bedrock/amazon.nova-lite-v1:0': [0.06, 0.24],
};

export type PriceTable = ReadonlyMap<string, Price>;

/** The built-in table with `provider/model=input:output` overrides applied. */
export function buildPriceTable(overrides: readonly string[]): PriceTable {
  const out = new Map<string, Price>(
    Object.entries(table).map(([k, [input, output]]) => [k, { input, output }]),
  );
  for (const entry of overrides) {
    const match = /^(.+\/.+)=([0-9.]+):([0-9.]+)$/.exec(entry.trim());
    if (!match) throw new Error(`[worker] prices: "${entry}" is not provider/model=input:output`);
    out.set(match[1]!, { input: Number(match[2]), output: Number(match[3]) });
  }
  return out;
}

/** USD for a call, from per-million prices. */
export const costOf = (price: Price, inputTokens: number, outputTokens: number): number =>
  (inputTokens * price.input + outputTokens * price.output) / 1_000_000;
