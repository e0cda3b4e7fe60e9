import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { authorize, errorResponse, scopedNamespace } from '../http/route.js';
import { Namespace } from '../knowledge/nodes/schema.js';
import { recall } from '../search/recall/service.js';
import type { SearchRuntime } from '../search/runtime.js';
import { authorizeOperation, scopeFilter } from '../security/policy.js';
import type { Principal } from '../security/principal.js';
import { callWorker } from './worker-client.js';

const tags = ['assist'];
const Text = z.string().trim().min(1).max(20_000);
const Source = z.object({ id: z.string(), title: z.string().nullable(), score: z.number() });

const CompletionBody = z
  .object({
    text: Text,
    namespace: Namespace.optional(),
    max_tokens: z.number().int().min(1).max(2000).optional(),
  })
  .strict();
const AutocompleteBody = z
  .object({ prefix: Text, limit: z.number().int().min(1).max(10).optional() })
  .strict();
const LinksBody = z
  .object({ text: Text, namespace: Namespace.optional(), limit: z.number().int().min(1).max(50).optional() })
  .strict();
const TransformBody = z
  .object({
    text: Text,
    operation: z.enum(['summarize', 'action_items', 'refine']),
    instructions: z.string().max(2000).optional(),
  })
  .strict();

const Generated = z.object({ model: z.string(), cost_usd: z.number() });

const operations = {
  summarize: 'Summarize the text in a few sentences. Keep names, numbers and decisions.',
  action_items:
    'List the action items in the text as a markdown checklist ("- [ ] who: what, when"). Nothing else.',
  refine: 'Rewrite the text to be clearer and more concise, keeping its meaning, voice and markdown.',
} as const;

/** One completion through the AI layer (its router and budget), with the caller's credentials. */
async function generate(
  ctx: Context,
  authorization: string | undefined,
  system: string,
  user: string,
  maxTokens: number,
) {
  const res = await callWorker(ctx.config, 'POST', '/api/generate', {
    authorization,
    body: {
      messages: [
        { role: 'system', content: system },
        { role: 'user', content: user },
      ],
      task: 'fast',
      max_tokens: maxTokens,
      temperature: ctx.config.llm.temperature,
    },
  });
  const g = (await res.json()) as { text: string; provider: string; model: string; cost_usd: number };
  return { text: g.text.trim(), model: `${g.provider}/${g.model}`, cost_usd: g.cost_usd };
}

async function related(
  ctx: Context,
  search: SearchRuntime,
  p: Principal,
  text: string,
  ns: string | undefined,
  limit: number,
) {
  authorizeOperation(p, 'recall');
  const namespace = scopedNamespace(p, ns);
  const scope = scopeFilter(p);
  const r = await recall(
    ctx,
    { text: text.slice(0, 4000), limit, ...(namespace ? { namespace } : {}), ...(scope ? { scope } : {}) },
    search.vectors(),
    null,
  );
  return r.results.map((x) => ({
    id: x.node.id,
    title: x.node.title,
    score: x.score,
    content: x.node.content,
  }));
}

/**
 * Writing help on the core (the reference's `[llm]` assist features): grounded suggestions,
 * prefix completions, link targets by meaning (no LLM) and transforms. LLM calls go through the AI
 * layer so they share its router, budget and usage records.
 */
export const assistRoutes: FastifyPluginAsyncZod<{ ctx: Context; search: SearchRuntime }> = async (
  app,
  { ctx, search },
) => {
  const maxTokens = ctx.config.llm.max_tokens;

  app.post(
    '/api/v1/assist/completion',
    {
      schema: {
        tags,
        summary: 'Suggest the next sentence(s), grounded in related notes (returned as sources)',
        body: CompletionBody,
        response: {
          200: Generated.extend({ suggestion: z.string(), sources: z.array(Source) }),
          400: errorResponse,
          402: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      const sources = await related(ctx, search, req.principal, req.body.text, req.body.namespace, 5);
      const context = sources
        .map((s, i) => `[${i + 1}] ${s.title ?? ''}\n${s.content.slice(0, 600)}`)
        .join('\n\n');
      const g = await generate(
        ctx,
        req.headers.authorization,
        `Continue the user's text with one or two sentences, consistent with these notes when relevant. Answer with the continuation only.\n\n${context}`,
        req.body.text,
        req.body.max_tokens ?? Math.min(maxTokens, 200),
      );
      return {
        suggestion: g.text,
        sources: sources.map(({ content: _c, ...s }) => s),
        model: g.model,
        cost_usd: g.cost_usd,
      };
    },
  );

  app.post(
    '/api/v1/assist/autocomplete',
    {
      schema: {
        tags,
        summary: 'Completions of a prefix (one per line from the model)',
        body: AutocompleteBody,
        response: {
          200: Generated.extend({ completions: z.array(z.string()) }),
          400: errorResponse,
          402: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      const limit = req.body.limit ?? 3;
      const g = await generate(
        ctx,
        req.headers.authorization,
        `Give ${limit} likely completions of the user's unfinished text, one per line, each only the words that follow it.`,
        req.body.prefix,
        Math.min(maxTokens, 120),
      );
      const completions = g.text
        .split('\n')
        .map((l) => l.replace(/^\s*(?:[-*]|\d+[.)])\s*/, '').trim())
        .filter(Boolean)
        .slice(0, limit);
      return { completions, model: g.model, cost_usd: g.cost_usd };
    },
  );

  app.post(
    '/api/v1/assist/links',
    {
      schema: {
        tags,
        summary: 'Wiki-link targets for a text, found by meaning (no LLM call)',
        body: LinksBody,
        response: {
          200: z.object({ links: z.array(Source.extend({ wikilink: z.string() })) }),
          400: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      const found = await related(
        ctx,
        search,
        req.principal,
        req.body.text,
        req.body.namespace,
        req.body.limit ?? 5,
      );
      return {
        links: found
          .filter((s) => s.title)
          .map(({ content: _c, ...s }) => ({ ...s, wikilink: `[[${s.title}]]` })),
      };
    },
  );

  app.post(
    '/api/v1/assist/transform',
    {
      schema: {
        tags,
        summary: 'Transform a text: summarize, action_items or refine',
        body: TransformBody,
        response: {
          200: Generated.extend({ operation: z.string(), result: z.string() }),
          400: errorResponse,
          402: errorResponse,
          503: errorResponse,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      const op = req.body.operation;
      const g = await generate(
        ctx,
        req.headers.authorization,
        `${operations[op]}${req.body.instructions ? `\nAlso: ${req.body.instructions}` : ''}`,
        req.body.text,
        maxTokens,
      );
      return { operation: op, result: g.text, model: g.model, cost_usd: g.cost_usd };
    },
  );
};
