import { z } from 'zod';
import { taskTypes } from '../ai/providers.js';

const Message = z
  .object({
    role: z.enum(['system', 'user', 'assistant']),
    content: z.string().max(200_000, 'content: at most 200,000 characters'),
  })
  .strict();

export const GenerateBody = z
  .object({
    prompt: z.string().min(1).max(200_000).optional().describe('a single user message'),
    messages: z.array(Message).min(1).max(500).optional().describe('the conversation so far'),
    system: z.string().max(50_000).optional(),
    provider: z.string().min(1).max(64).optional(),
    model: z.string().min(1).max(200).optional().describe('auto, a model id, or provider/model'),
    task: z.enum(taskTypes).optional().describe('what auto routing optimises for (default chat)'),
    quality: z.number().int().min(1).max(5).optional().describe('lowest acceptable quality tier'),
    max_tokens: z.number().int().min(1).max(200_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    stream: z.boolean().optional().describe('answer as server-sent events'),
  })
  .strict()
  .refine((b) => (b.prompt === undefined) !== (b.messages === undefined), {
    message: 'prompt: send either prompt or messages (exactly one)',
    path: ['prompt'],
  });
export type GenerateBody = z.infer<typeof GenerateBody>;

export const GenerateResponse = z.object({
  text: z.string(),
  provider: z.string(),
  model: z.string(),
  usage: z.object({ input_tokens: z.number().int(), output_tokens: z.number().int() }),
  cost_usd: z.number(),
  latency_ms: z.number(),
  downgraded: z.boolean(),
  attempts: z.array(z.object({ model: z.string(), outcome: z.string() })),
});

const ProviderSpend = z.object({
  spent_usd: z.number(),
  reserved_usd: z.number(),
  cap_usd: z.number().nullable(),
});

export const BudgetResponse = z.object({
  day: z.string(),
  limit_usd: z.number(),
  spent_usd: z.number(),
  reserved_usd: z.number(),
  remaining_usd: z.number(),
  action: z.enum(['downgrade', 'reject']),
  reset_at: z.string(),
  providers: z.record(z.string(), ProviderSpend),
  history: z.array(
    z.object({
      day: z.string(),
      provider: z.string(),
      cost_usd: z.number(),
      calls: z.number().int(),
      input_tokens: z.number().int(),
      output_tokens: z.number().int(),
    }),
  ),
});

export const ModelsQuery = z
  .object({
    probe: z.enum(['true', 'false']).optional().describe('check reachability (default true, cached)'),
  })
  .strict();

export const ModelsResponse = z.object({
  default_provider: z.string(),
  providers: z.array(
    z.object({
      id: z.string(),
      label: z.string(),
      base_url: z.string(),
      reachable: z.enum(['ok', 'unauthorized', 'unreachable', 'error', 'unknown']),
      checked_at: z.string().nullable(),
      breaker: z.string(),
      models: z.array(
        z.object({
          ref: z.string(),
          id: z.string(),
          quality: z.number().int(),
          tasks: z.array(z.string()),
          price: z.object({ input: z.number(), output: z.number() }),
          priced: z.boolean(),
        }),
      ),
    }),
  ),
  unconfigured: z.array(z.object({ id: z.string(), label: z.string(), env: z.array(z.string()) })),
});

export const StatsQuery = z
  .object({ days: z.coerce.number().int().min(1).max(366).optional().describe('window in days (default 1)') })
  .strict();

export const HealthResponse = z.object({
  status: z.enum(['ok', 'degraded']),
  version: z.string(),
  uptime_secs: z.number(),
  core: z.object({
    status: z.enum(['ok', 'degraded', 'unreachable']),
    url: z.string(),
    breaker: z.string(),
    error: z.string().optional(),
  }),
  providers: z.object({ configured: z.number().int(), models: z.number().int() }),
  breakers: z.record(
    z.string(),
    z.object({ state: z.string(), failures: z.number().int(), opened_at: z.string().nullable() }),
  ),
  budget: z.object({ spent_usd: z.number(), limit_usd: z.number(), remaining_usd: z.number() }),
});
