import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { HelixError } from '../core/errors.js';
import { authorize, errorResponse } from '../http/route.js';
import type { SearchRuntime } from '../search/runtime.js';
import { callWorker, workerUrl } from './worker-client.js';

const tags = ['ai'];
/** OpenAI-shaped bodies, documented by the OpenAI API itself */
const OpenAiObject = z.record(z.string(), z.unknown());

const ChatCompletionBody = z
  .object({
    model: z.string().min(1).max(200).describe('auto, or provider/model'),
    messages: z
      .array(
        z
          .object({ role: z.enum(['system', 'user', 'assistant']), content: z.string().max(200_000) })
          .passthrough(),
      )
      .min(1)
      .max(500),
    max_tokens: z.number().int().min(1).max(200_000).optional(),
    max_completion_tokens: z.number().int().min(1).max(200_000).optional(),
    temperature: z.number().min(0).max(2).optional(),
    stream: z.boolean().optional(),
  })
  .passthrough();

const EmbeddingsBody = z
  .object({
    input: z.union([z.string().max(100_000), z.array(z.string().max(100_000)).min(1).max(256)]),
    model: z.string().max(200).optional().describe('ignored: the configured embedder answers'),
  })
  .passthrough();

interface Generated {
  text: string;
  provider: string;
  model: string;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number;
}

/**
 * OpenAI-compatible endpoints on the core for other tools: chat completions go through the AI
 * layer (its router and budget, with the caller's credentials); embeddings come from the core's own
 * configured embedder.
 */
export const coreAiRoutes: FastifyPluginAsyncZod<{ ctx: Context; search: SearchRuntime }> = async (
  app,
  { ctx, search },
) => {
  app.post(
    '/api/v1/ai/chat/completions',
    {
      schema: {
        tags,
        summary:
          'OpenAI-compatible chat completion through the AI layer router and budget (stream: SSE chunks)',
        body: ChatCompletionBody,
        response: { 200: OpenAiObject, 400: errorResponse, 402: errorResponse, 503: errorResponse },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'write');
      const b = req.body;
      const maxTokens = b.max_completion_tokens ?? b.max_tokens;
      const generate = {
        messages: b.messages.map((m) => ({ role: m.role, content: m.content })),
        model: b.model,
        ...(maxTokens !== undefined ? { max_tokens: maxTokens } : {}),
        ...(b.temperature !== undefined ? { temperature: b.temperature } : {}),
        stream: b.stream === true,
      };
      const res = await callWorker(ctx.config, 'POST', '/api/generate', {
        body: generate,
        authorization: req.headers.authorization,
      });
      const id = `chatcmpl-${randomUUID()}`;
      const created = Math.floor(ctx.clock.now().getTime() / 1000);
      if (!b.stream) {
        const g = (await res.json()) as Generated;
        return {
          id,
          object: 'chat.completion',
          created,
          model: `${g.provider}/${g.model}`,
          choices: [{ index: 0, message: { role: 'assistant', content: g.text }, finish_reason: 'stop' }],
          usage: {
            prompt_tokens: g.usage.input_tokens,
            completion_tokens: g.usage.output_tokens,
            total_tokens: g.usage.input_tokens + g.usage.output_tokens,
          },
          helix: { provider: g.provider, cost_usd: g.cost_usd },
        };
      }
      async function* chunks() {
        let model = b.model;
        const chunk = (delta: object, finish: string | null, extra: object = {}) =>
          `data: ${JSON.stringify({ id, object: 'chat.completion.chunk', created, model, choices: [{ index: 0, delta, finish_reason: finish }], ...extra })}\n\n`;
        let buffer = '';
        for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += Buffer.from(piece).toString('utf8');
          let cut = buffer.indexOf('\n\n');
          while (cut !== -1) {
            const block = buffer.slice(0, cut);
            buffer = buffer.slice(cut + 2);
            cut = buffer.indexOf('\n\n');
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
            if (event === 'start') {
              model = `${data.provider}/${data.model}`;
              yield chunk({ role: 'assistant' }, null);
            } else if (event === 'token') yield chunk({ content: data.text }, null);
            else if (event === 'done') {
              const u = data.usage as Generated['usage'];
              yield chunk({}, 'stop', {
                usage: {
                  prompt_tokens: u.input_tokens,
                  completion_tokens: u.output_tokens,
                  total_tokens: u.input_tokens + u.output_tokens,
                },
              });
            } else if (event === 'error') yield `data: ${JSON.stringify({ error: data })}\n\n`;
          }
        }
        yield 'data: [DONE]\n\n';
      }
      void reply
        .header('content-type', 'text/event-stream; charset=utf-8')
        .header('cache-control', 'no-cache');
      return reply.send(Readable.from(chunks()) as never);
    },
  );

  app.get(
    '/api/v1/ai/models',
    {
      schema: {
        tags,
        summary:
          'Models the AI layer can route to (OpenAI list format, plus auto); empty with a note when it is down',
        response: { 200: OpenAiObject },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const auto = { id: 'auto', object: 'model', owned_by: 'helix' };
      let body: { providers: { id: string; models: { ref: string }[] }[] };
      try {
        const res = await callWorker(ctx.config, 'GET', '/api/models?probe=false', {
          authorization: req.headers.authorization,
        });
        body = (await res.json()) as typeof body;
      } catch (err) {
        // a listing describes what is there: nothing, and why, rather than an error
        if (err instanceof HelixError && err.code === 'unavailable')
          return { object: 'list', data: [], helix: { worker: 'unreachable', message: err.message } };
        throw err;
      }
      return {
        object: 'list',
        data: [
          auto,
          ...body.providers.flatMap((p) =>
            p.models.map((m) => ({ id: m.ref, object: 'model', owned_by: p.id })),
          ),
        ],
      };
    },
  );

  app.get(
    '/api/v1/ai/health',
    {
      schema: {
        tags,
        summary: "The AI layer's health as the core reaches it (status unreachable when it is down)",
        response: { 200: OpenAiObject },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      try {
        const res = await callWorker(ctx.config, 'GET', '/health');
        return (await res.json()) as Record<string, unknown>;
      } catch (err) {
        return { status: 'unreachable', worker_url: workerUrl(ctx.config), error: (err as Error).message };
      }
    },
  );

  app.post(
    '/api/v1/ai/embeddings',
    {
      schema: {
        tags,
        summary: "OpenAI-compatible embeddings from the core's configured embedder",
        body: EmbeddingsBody,
        response: { 200: OpenAiObject, 400: errorResponse, 503: errorResponse },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const provider = search.selection?.provider;
      if (!provider || search.state !== 'ready')
        throw new HelixError(
          'unavailable',
          'the embedder is still loading or failed: see /api/v1/diagnostics/embedding',
        );
      const input = typeof req.body.input === 'string' ? [req.body.input] : req.body.input;
      const vectors = await provider.embed(input);
      const tokens = input.reduce((n, t) => n + Math.ceil(t.length / 4), 0);
      return {
        object: 'list',
        model: provider.id,
        data: vectors.map((v, index) => ({ object: 'embedding', index, embedding: Array.from(v) })),
        usage: { prompt_tokens: tokens, total_tokens: tokens },
      };
    },
  );
};
