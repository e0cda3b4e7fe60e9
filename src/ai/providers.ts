/**
 * The providers the router knows: how each is reached (SDK adapter and default base URL), which
 * environment variables carry its credentials, and the models we route to with their quality tier
 * and the tasks they suit. Prices live apart in prices.ts.
 */
export const taskTypes = ['chat', 'reasoning', 'code', 'fast'] as const;
export type TaskType = (typeof taskTypes)[number];

/** Which SDK adapter speaks the provider's wire format. */
export type Adapter =
  | 'anthropic'
  | 'openai'
  | 'google'
  | 'xai'
  | 'deepseek'
  | 'openrouter'
  | 'mistral'
  | 'together'
  | 'fireworks'
  | 'perplexity'
  | 'cohere'
  | 'bedrock'
  | 'openai-compatible';

export interface ModelSpec {
  id: string;
  /** 1 (small, local) … 5 (frontier): the floor a request can demand */
  quality: number;
  tasks: readonly TaskType[];
}

export interface ProviderSpec {
  id: string;
  label: string;
  adapter: Adapter;
  /** variables that must all be set for the provider to count as configured */
  env: readonly string[];
  defaultBaseUrl: string;
  models: readonly ModelSpec[];
  /** runs on this machine: configured by a base URL instead of a key */
  local?: boolean;
}

const all: readonly TaskType[] = ['chat', 'reasoning', 'code'];
const fast: readonly TaskType[] = ['chat', 'fast'];
const m = (id: string, quality: number, tasks: readonly TaskType[] = all): ModelSpec => ({
  id,
  quality,
  tasks,
});

export const providerSpecs: readonly ProviderSpec[] = [
  {
    id: 'anthropic',
    label: 'Anthropic (Claude)',
    adapter: 'anthropic',
    env: ['ANTHROPIC_API_KEY'],
    defaultBaseUrl: 'https://api.anthropic.com/v1',
    models: [m('claude-opus-4-1', 5), m('claude-sonnet-4-5', 5), m('claude-haiku-4-5', 3, [...all, 'fast'])],
  },
  {
    id: 'openai',
    label: 'OpenAI (GPT)',
    adapter: 'openai',
    env: ['OPENAI_API_KEY'],
    defaultBaseUrl: 'https://api.openai.com/v1',
    models: [
      m('gpt-5', 5),
      m('gpt-5-mini', 4),
      m('gpt-4o', 4),
      m('gpt-4o-mini', 3, [...all, 'fast']),
      m('gpt-5-nano', 2, fast),
    ],
  },
  {
    id: 'google',
    label: 'Google (Gemini)',
    adapter: 'google',
    env: ['GOOGLE_API_KEY'],
    defaultBaseUrl: 'https://generativelanguage.googleapis.com/v1beta',
    models: [
      m('gemini-2.5-pro', 5),
      m('gemini-2.5-flash', 4, [...all, 'fast']),
      m('gemini-2.5-flash-lite', 2, fast),
    ],
  },
  {
    id: 'xai',
    label: 'xAI (Grok)',
    adapter: 'xai',
    env: ['XAI_API_KEY'],
    defaultBaseUrl: 'https://api.x.ai/v1',
    models: [m('grok-4', 5), m('grok-3-mini', 3, [...all, 'fast'])],
  },
  {
    id: 'deepseek',
    label: 'DeepSeek',
    adapter: 'deepseek',
    env: ['DEEPSEEK_API_KEY'],
    defaultBaseUrl: 'https://api.deepseek.com/v1',
    models: [m('deepseek-chat', 4), m('deepseek-reasoner', 4, ['reasoning', 'code'])],
  },
  {
    id: 'openrouter',
    label: 'OpenRouter',
    adapter: 'openrouter',
    env: ['OPENROUTER_API_KEY'],
    defaultBaseUrl: 'https://openrouter.ai/api/v1',
    models: [m('anthropic/claude-sonnet-4.5', 5), m('openai/gpt-4o-mini', 3, [...all, 'fast'])],
  },
  {
    id: 'ollama',
    label: 'Ollama (local)',
    adapter: 'openai-compatible',
    env: [],
    defaultBaseUrl: 'http://localhost:11434/v1',
    models: [m('llama3.2', 2, fast)],
    local: true,
  },
  {
    id: 'mistral',
    label: 'Mistral',
    adapter: 'mistral',
    env: ['MISTRAL_API_KEY'],
    defaultBaseUrl: 'https://api.mistral.ai/v1',
    models: [
      m('mistral-large-latest', 4),
      m('codestral-latest', 4, ['code']),
      m('mistral-small-latest', 3, [...all, 'fast']),
    ],
  },
  {
    id: 'together',
    label: 'Together AI',
    adapter: 'together',
    env: ['TOGETHER_API_KEY'],
    defaultBaseUrl: 'https://api.together.xyz/v1',
    models: [m('meta-llama/Llama-3.3-70B-Instruct-Turbo', 3, [...all, 'fast'])],
  },
  {
    id: 'fireworks',
    label: 'Fireworks AI',
    adapter: 'fireworks',
    env: ['FIREWORKS_API_KEY'],
    defaultBaseUrl: 'https://api.fireworks.ai/inference/v1',
    models: [m('accounts/fireworks/models/llama-v3p1-70b-instruct', 3, [...all, 'fast'])],
  },
  {
    id: 'perplexity',
    label: 'Perplexity',
    adapter: 'perplexity',
    env: ['PERPLEXITY_API_KEY'],
    defaultBaseUrl: 'https://api.perplexity.ai',
    models: [m('sonar-pro', 4, ['chat', 'reasoning']), m('sonar', 3, fast)],
  },
  {
    id: 'cloudflare',
    label: 'Cloudflare Workers AI',
    adapter: 'openai-compatible',
    env: ['CLOUDFLARE_API_KEY', 'CLOUDFLARE_ACCOUNT_ID'],
    // {account} is filled from CLOUDFLARE_ACCOUNT_ID (the OpenAI-compatible endpoint of Workers AI)
    defaultBaseUrl: 'https://api.cloudflare.com/client/v4/accounts/{account}/ai/v1',
    models: [m('@cf/meta/llama-3.1-8b-instruct', 2, fast)],
  },
  {
    id: 'venice',
    label: 'Venice',
    adapter: 'openai-compatible',
    env: ['VENICE_API_KEY'],
    defaultBaseUrl: 'https://api.venice.ai/api/v1',
    models: [m('llama-3.3-70b', 3, [...all, 'fast'])],
  },
  {
    id: 'cohere',
    label: 'Cohere',
    adapter: 'cohere',
    env: ['COHERE_API_KEY'],
    defaultBaseUrl: 'https://api.cohere.com/v2',
    models: [m('command-a-03-2025', 4), m('command-r7b-12-2024', 2, fast)],
  },
  {
    id: 'bedrock',
    label: 'AWS Bedrock',
    adapter: 'bedrock',
    env: ['AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY'],
    defaultBaseUrl: '',
    models: [
      m('anthropic.claude-sonnet-4-20250514-v1:0', 5),
      m('amazon.nova-pro-v1:0', 3),
      m('amazon.nova-lite-v1:0', 2, fast),
    ],
  },
];

export const findProviderSpec = (id: string): ProviderSpec | undefined =>
  providerSpecs.find((p) => p.id === id);

/** `provider/model`: the provider is everything before the first slash (model ids may hold slashes). */
export function splitModelRef(ref: string): { provider: string; model: string } | undefined {
  const i = ref.indexOf('/');
  if (i <= 0 || i === ref.length - 1) return undefined;
  return { provider: ref.slice(0, i), model: ref.slice(i + 1) };
}
