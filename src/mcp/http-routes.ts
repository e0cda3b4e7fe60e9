import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { Context } from '../core/context.js';
import type { SearchRuntime } from '../search/runtime.js';
import { invalidParams } from './line-filter.js';
import { createMcpServer } from './server.js';

const rpcError = (reply: FastifyReply, status: number, code: number, message: string) =>
  reply
    .status(status)
    .type('application/json')
    .send(JSON.stringify({ jsonrpc: '2.0', id: null, error: { code, message } }));

/**
 * MCP over Streamable HTTP at `/mcp`, behind the same pipeline as every REST route (auth, rate
 * limit, audit): the caller is `req.principal`.
 *
 * Stateless on purpose: each POST gets a fresh server and transport bound to the principal of that
 * request. Sessions would have to re-check that every later request carries the same principal,
 * and would hold memory for clients that vanish without a DELETE; a fresh server costs well under
 * a millisecond. The price is no server-initiated notifications over HTTP (stdio has them), so GET
 * (the notification stream) and DELETE (session end) answer 405, as the spec allows.
 */
export const mcpHttpRoutes: FastifyPluginAsync<{ ctx: Context; search: SearchRuntime }> = async (
  app,
  { ctx, search },
) => {
  // the transport wants the parsed message, and malformed JSON must get a JSON-RPC parse error
  // (-32700), not the REST error shape: take the body as text and parse it here
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (_req, body, done) => done(null, body));

  app.post('/mcp', { schema: { hide: true } }, async (req, reply) => {
    let message: unknown;
    try {
      message = JSON.parse(String(req.body ?? ''));
    } catch {
      return rpcError(reply, 400, -32700, 'Parse error: the body is not valid JSON');
    }
    const bad = Array.isArray(message) ? null : invalidParams(message);
    if (bad) return reply.status(200).type('application/json').send(bad);
    const mcp = createMcpServer(
      {
        ctx,
        search,
        principal: req.principal,
        maxTokens: ctx.config.mcp.max_answer_tokens,
        requestId: req.id,
      },
      { notifications: false },
    );
    const transport = new StreamableHTTPServerTransport({
      sessionIdGenerator: undefined,
      enableJsonResponse: true,
    });
    // headers the pipeline already set (request id, security headers) must survive the hijack
    for (const [name, value] of Object.entries(reply.getHeaders()))
      if (value !== undefined) reply.raw.setHeader(name, value as string);
    reply.hijack();
    reply.raw.on('close', () => {
      void mcp.close();
    });
    try {
      await mcp.server.connect(transport);
      await transport.handleRequest(req.raw, reply.raw, message);
    } catch (err) {
      ctx.logger.error({ err, request_id: req.id }, 'mcp request failed');
      if (!reply.raw.headersSent) {
        reply.raw.writeHead(500, { 'content-type': 'application/json' });
        reply.raw.end(
          JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: -32603, message: 'internal error' } }),
        );
      }
    }
  });

  for (const method of ['GET', 'DELETE'] as const) {
    app.route({
      method,
      url: '/mcp',
      schema: { hide: true },
      handler: async (_req, reply) => {
        void reply.header('allow', 'POST');
        return rpcError(reply, 405, -32000, 'Method not allowed: this server is stateless, use POST');
      },
    });
  }
};
