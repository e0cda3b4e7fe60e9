import { createRequire } from 'node:module';
import type { LanguageModel, ModelMessage } from 'ai';
import type { ChatMessage } from './router-types.js';

// the SDK prints warnings (e.g. unsupported settings) on the console; ours go through the logger
(globalThis as { AI_SDK_LOG_WARNINGS?: boolean }).AI_SDK_LOG_WARNINGS = false;

/** `ai` loads on the first call, not at start: it alone costs hundreds of milliseconds to import. */
let sdk: Promise<typeof import('ai')> | undefined;
export const loadSdk = () => {
  sdk ??= import('ai').then((m) => {
    warmPromptSchema(m.modelMessageSchema);
    return m;
  });
  return sdk;
};

/**
 * Each call validates its messages against a fresh `z.array(modelMessageSchema)`, and zod walks
 * that schema for cycles on a new array's first parse. The walk caches its answer only for
 * subtrees whose lazy JSON-value schemas have already resolved, which happens only when a value
 * with provider options was parsed: until then every call re-walks the whole message schema
 * (about 0.1–0.3 ms). One parse with nested provider options at load resolves them, once.
 */
function warmPromptSchema(schema: { safeParse(v: unknown): unknown }): void {
  const options = { warm: { list: [1, 'a', true, null, { nested: [{}] }], map: { k: 'v' } } };
  try {
    schema.safeParse({
      role: 'user',
      content: [{ type: 'text', text: '', providerOptions: options }],
      providerOptions: options,
    });
  } catch {
    // a warm-up only: the calls validate for themselves
  }
}

type Sdk = typeof import('ai');
type Model = Exclude<LanguageModel, string>;
type ModelV3 = Extract<Model, { specificationVersion: 'v3' }>;
type CallOptions = Parameters<ModelV3['doGenerate']>[0];

export interface CompletionSettings {
  messages: readonly ChatMessage[];
  maxOutputTokens: number;
  temperature?: number;
  abortSignal: AbortSignal;
}

export interface Completion {
  text: string;
  inputTokens: number | undefined;
  outputTokens: number | undefined;
}

/** `ai/<version>`: the user-agent suffix `generateText` adds to every provider request */
let userAgent: string | undefined;
const sdkUserAgent = () => {
  userAgent ??= `ai/${(createRequire(import.meta.url)('ai/package.json') as { version: string }).version}`;
  return userAgent;
};

/**
 * One completion through the provider model's own `doGenerate` (the AI SDK's language model
 * specification, what `generateText` calls), without `generateText`'s wrapper: for a plain
 * conversation with no tools, one step and no retries (our loop owns them), the wrapper only
 * re-validates the messages with zod, builds telemetry attributes, step and result objects and a
 * retry closure, about 0.4 ms of CPU per call (docs/decisions/0011-worker-hot-path.md). The request
 * the provider sends, its response parsing and its errors are the SDK's own and unchanged; this
 * does what `generateText` does for such a call:
 *
 * - the same argument checks (`prepareCallSettings`, `standardizePrompt`), with the SDK's own
 *   error types (`InvalidArgumentError`, `InvalidPromptError`);
 * - the same prompt (`convertToLanguageModelPrompt`: a system message keeps its string, user and
 *   assistant text becomes one text part) and the same `user-agent` suffix;
 * - the result's `text` (the text parts joined) and usage (`inputTokens.total`,
 *   `outputTokens.total`); provider errors reach the caller as thrown (`maxRetries: 0` rethrows).
 *
 * A model of an older specification (v2) goes through `generateText`, which adapts it.
 */
export async function complete(sdk: Sdk, model: LanguageModel, s: CompletionSettings): Promise<Completion> {
  if (typeof model === 'string' || model.specificationVersion !== 'v3') {
    const r = await sdk.generateText({
      model,
      messages: s.messages as ModelMessage[],
      allowSystemInMessages: true,
      maxOutputTokens: s.maxOutputTokens,
      ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
      maxRetries: 0,
      abortSignal: s.abortSignal,
    });
    return { text: r.text, inputTokens: r.usage.inputTokens, outputTokens: r.usage.outputTokens };
  }
  if (!Number.isInteger(s.maxOutputTokens) || s.maxOutputTokens < 1)
    throw new sdk.InvalidArgumentError({
      parameter: 'maxOutputTokens',
      value: s.maxOutputTokens,
      message: Number.isInteger(s.maxOutputTokens)
        ? 'maxOutputTokens must be >= 1'
        : 'maxOutputTokens must be an integer',
    });
  if (s.temperature !== undefined && typeof s.temperature !== 'number')
    throw new sdk.InvalidArgumentError({
      parameter: 'temperature',
      value: s.temperature,
      message: 'temperature must be a number',
    });
  const options: CallOptions = {
    prompt: toPrompt(sdk, s.messages),
    maxOutputTokens: s.maxOutputTokens,
    ...(s.temperature !== undefined ? { temperature: s.temperature } : {}),
    abortSignal: s.abortSignal,
    headers: { 'user-agent': sdkUserAgent() },
  };
  const r = await model.doGenerate(options);
  let text = '';
  for (const part of r.content) if (part.type === 'text') text += part.text;
  return { text, inputTokens: r.usage.inputTokens.total, outputTokens: r.usage.outputTokens.total };
}

/** `standardizePrompt` + `convertToLanguageModelPrompt` for text-only chat messages. */
function toPrompt(sdk: Sdk, messages: readonly ChatMessage[]): CallOptions['prompt'] {
  if (messages.length === 0)
    throw new sdk.InvalidPromptError({ prompt: undefined, message: 'messages must not be empty' });
  const prompt: CallOptions['prompt'] = [];
  for (const m of messages) {
    if (typeof m.content !== 'string')
      throw new sdk.InvalidPromptError({
        prompt: undefined,
        message: 'The messages do not match the ModelMessage[] schema.',
      });
    if (m.role === 'system') prompt.push({ role: 'system', content: m.content });
    else if (m.role === 'user' || m.role === 'assistant')
      prompt.push({ role: m.role, content: [{ type: 'text', text: m.content }] });
    else
      throw new sdk.InvalidPromptError({
        prompt: undefined,
        message: 'The messages do not match the ModelMessage[] schema.',
      });
  }
  return prompt;
}
