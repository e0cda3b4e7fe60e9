import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import type { AiServices } from '../ai/service.js';
import type { ChatMessage, StreamEvent } from '../ai/router.js';
import type { HelixConfig } from '../core/config/schema.js';
import { helixVersion } from '../core/version.js';
import { authorize, errorResponse } from '../http/route.js';
import type { CoreBridge } from './core-bridge.js';
import {
  BudgetResponse,
  GenerateBody,
  GenerateResponse,
  HealthResponse,
  ModelsQuery,
  ModelsResponse,
  StatsQuery,
} from './schema.js';

export interface WorkerRouteOptions {
  config: HelixConfig;
  ai: AiServices;
  bridge: CoreBridge;
}

const daysAgo = (now: Date, n: number) => new Date(now.getTime() - n * 86_400_000).toISOString().slice(0, 10);

const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;

function toMessages(b: GenerateBody): ChatMessage[] {
  const base: ChatMessage[] = b.messages ?? [{ role: 'user', content: b.prompt! }];
  return b.system ? [{ role: 'system', content: b.system }, ...base] : base;
}

/** The AI layer's REST surface (reference worker-routes.tsv): generate, budget, models, stats, health. */
export const workerRoutes: FastifyPluginAsyncZod<WorkerRouteOptions> = async (
  app,
  { config, ai, bridge },
) => {
  const started = Date.now();
  const tags = ['ai'];

  app.post(
    '/api/generate',
    {
      schema: {
        tags,
        summary: 'Generate text through the router (SSE events start/token/done/error when stream is true)',
        body: GenerateBody,
        response: { 200: GenerateResponse, 400: errorResponse, 402: errorResponse, 503: errorResponse },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      const b = req.body;
      const abort = new AbortController();
      // the client hanging up cancels the upstream call (and bills only what came back)
      reply.raw.once('close', () => {
        if (!reply.raw.writableFinished) abort.abort();
      });
      const request = {
        messages: toMessages(b),
        ...(b.model
          ? { model: b.model }
          : config.worker.default_provider !== 'auto' && !b.provider
            ? { provider: config.worker.default_provider }
            : {}),
        ...(b.provider ? { provider: b.provider } : {}),
        ...(b.task ? { task: b.task } : {}),
        ...(b.quality !== undefined ? { quality: b.quality } : {}),
        ...(b.max_tokens !== undefined ? { max_tokens: b.max_tokens } : {}),
        ...(b.temperature !== undefined ? { temperature: b.temperature } : {}),
        principalId: req.principal.id,
        requestId: req.id,
        signal: abort.signal,
      };
      if (!b.stream) return ai.router.generate(request);
      // failures before the first token still answer with a status code and the JSON error body
      const handle = await ai.router.stream(request);
      async function* body() {
        yield sse('start', { provider: handle.provider, model: handle.model, downgraded: handle.downgraded });
        for await (const e of handle.events as AsyncIterable<StreamEvent>) {
          if (e.type === 'delta') yield sse('token', { text: e.text });
          else if (e.type === 'done') yield sse('done', e.result);
          else yield sse('error', { code: e.code, message: e.message });
        }
      }
      void reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache')
        .header('x-accel-buffering', 'no');
      // a stream payload bypasses the (typed) JSON response: SSE frames are written as they come
      return reply.send(Readable.from(body()) as never);
    },
  );

  app.get(
    '/api/budget',
    {
      schema: {
        tags,
        summary: 'Spend today by provider, the limit, reservations in flight and the reset time',
        response: { 200: BudgetResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const snap = ai.ledger.snapshot();
      return { ...snap, history: ai.usage.spendByDay(daysAgo(new Date(`${snap.day}T00:00:00Z`), 6)) };
    },
  );

  app.get(
    '/api/models',
    {
      schema: {
        tags,
        summary: 'Configured providers and models, price and reachability (cached)',
        querystring: ModelsQuery,
        response: { 200: ModelsResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const probe = req.query.probe !== 'false';
      const catalog = ai.router.catalog;
      const providers = await Promise.all(
        catalog.providers.map(async (p) => {
          const r = probe ? await ai.reachability.probe(p) : { status: 'unknown' as const, checked_at: null };
          return {
            id: p.spec.id,
            label: p.spec.label,
            base_url: p.baseUrl,
            reachable: r.status,
            checked_at: r.checked_at,
            breaker: ai.breakers.state(p.spec.id),
            models: p.models.map((m) => ({
              ref: m.ref,
              id: m.model,
              quality: m.quality,
              tasks: [...m.tasks],
              price: m.price,
              priced: m.priced,
            })),
          };
        }),
      );
      return {
        default_provider: config.worker.default_provider,
        providers,
        unconfigured: catalog.unconfigured.map((u) => ({ ...u, env: [...u.env] })),
      };
    },
  );

  app.get(
    '/api/stats',
    {
      schema: {
        tags,
        summary: 'Calls, outcomes, tokens, cost and latency per model; breaker states',
        querystring: StatsQuery,
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const days = req.query.days ?? 1;
      const since = daysAgo(new Date(`${ai.ledger.snapshot().day}T00:00:00Z`), days - 1);
      const models = ai.usage.stats(since);
      const sum = (
        k: 'calls' | 'ok' | 'errors' | 'rejected' | 'input_tokens' | 'output_tokens' | 'cost_usd',
      ) => models.reduce((n, m) => n + (m[k] ?? 0), 0);
      return {
        since,
        totals: {
          calls: sum('calls'),
          ok: sum('ok'),
          errors: sum('errors'),
          rejected: sum('rejected'),
          input_tokens: sum('input_tokens'),
          output_tokens: sum('output_tokens'),
          cost_usd: sum('cost_usd'),
        },
        models,
        breakers: ai.breakers.snapshot(),
      };
    },
  );

  app.get(
    '/health',
    {
      config: { public: true },
      schema: {
        tags: ['system'],
        summary: 'AI layer health: degraded when the core is unreachable',
        security: [],
        response: { 200: HealthResponse },
      },
    },
    async () => {
      const core = await bridge.health();
      const budget = ai.ledger.snapshot();
      return {
        status: core.status === 'ok' ? ('ok' as const) : ('degraded' as const),
        version: helixVersion,
        uptime_secs: Math.round((Date.now() - started) / 1000),
        core,
        providers: {
          configured: ai.router.catalog.providers.length,
          models: ai.router.catalog.models.length,
        },
        breakers: ai.breakers.snapshot(),
        budget: {
          spent_usd: budget.spent_usd,
          limit_usd: budget.limit_usd,
          remaining_usd: budget.remaining_usd,
        },
      };
    },
  );
};
