import type { LanguageModel } from 'ai';
import type { ConfiguredProvider } from './catalog.js';
import { nodeFetch } from './node-fetch.js';

type Fetch = typeof globalThis.fetch;

/**
 * The SDK model object for one configured provider and model id. Each adapter package is imported
 * on first use: loading all fourteen would add seconds to every start.
 */
export async function createLanguageModel(
  p: ConfiguredProvider,
  modelId: string,
  injected?: Fetch,
): Promise<LanguageModel> {
  // every adapter gets a fetch: the injected one (tests) or the keep-alive node:http one
  const fetch = injected ?? nodeFetch;
  const key = Object.values(p.credentials)[0];
  const common = { baseURL: p.baseUrl, ...(key ? { apiKey: key } : {}), fetch };
  switch (p.spec.adapter) {
    case 'anthropic':
      return (await import('@ai-sdk/anthropic')).createAnthropic(common)(modelId);
    case 'openai':
      // chat completions, not the responses API: the one every compatible endpoint also speaks
      return (await import('@ai-sdk/openai')).createOpenAI(common).chat(modelId);
    case 'google':
      return (await import('@ai-sdk/google')).createGoogleGenerativeAI(common)(modelId);
    case 'xai':
      return (await import('@ai-sdk/xai')).createXai(common).chat(modelId);
    case 'deepseek':
      return (await import('@ai-sdk/deepseek')).createDeepSeek(common)(modelId);
    case 'openrouter':
      return (await import('@openrouter/ai-sdk-provider')).createOpenRouter(common)(
        modelId,
      ) as unknown as LanguageModel;
    case 'mistral':
      return (await import('@ai-sdk/mistral')).createMistral(common)(modelId);
    case 'together':
      return (await import('@ai-sdk/togetherai')).createTogetherAI(common)(modelId);
    case 'fireworks':
      return (await import('@ai-sdk/fireworks')).createFireworks(common)(modelId);
    case 'perplexity':
      return (await import('@ai-sdk/perplexity')).createPerplexity(common)(modelId);
    case 'cohere':
      return (await import('@ai-sdk/cohere')).createCohere(common)(modelId);
    case 'bedrock':
      return (await import('@ai-sdk/amazon-bedrock')).createAmazonBedrock({
        region: p.credentials.AWS_REGION ?? process.env.AWS_REGION ?? 'us-east-1',
        accessKeyId: p.credentials.AWS_ACCESS_KEY_ID ?? '',
        secretAccessKey: p.credentials.AWS_SECRET_ACCESS_KEY ?? '',
        ...(p.baseUrl ? { baseURL: p.baseUrl } : {}),
        fetch,
      })(modelId);
    case 'openai-compatible': {
      // Cloudflare's key is CLOUDFLARE_API_KEY (the account id is the second credential)
      const apiKey = p.credentials.CLOUDFLARE_API_KEY ?? key;
      return (await import('@ai-sdk/openai-compatible')).createOpenAICompatible({
        name: p.spec.id,
        baseURL: p.baseUrl,
        ...(apiKey ? { apiKey } : {}),
        includeUsage: true,
        fetch,
      })(modelId);
    }
  }
}
