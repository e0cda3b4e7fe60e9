import type { FastifyInstance } from 'fastify';
import { HelixError } from '../core/errors.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /**
     * A POST that only reads (search, recall): open to `read` principals. Every other
     * POST/PUT/PATCH/DELETE is refused to them before its body is even parsed.
     */
    readOnly?: boolean;
  }
}

const WRITES = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Writes open to `read` principals by design, beside routes flagged `readOnly`:
 * - proposing a change: a view-tier key proposes, the owner decides (knowledge/proposals);
 * - MCP over HTTP: every tool call is a POST, and each tool checks its own action.
 */
const OPEN_TO_READERS = new Set(['POST /api/v1/exchange/proposals', 'POST /mcp']);

/**
 * Defence in depth for "a read principal cannot write": each route still calls `authorize`, but a
 * route added later that forgets to is covered too (fail closed). A POST that is a read by nature
 * opts out with `config: { readOnly: true }`; test/route-auth-walk.test.ts lists those routes.
 * Register before the routes, after the pipeline (which sets `req.principal`).
 */
export function installWriteGuard(app: FastifyInstance): void {
  app.addHook('onRequest', async (req) => {
    const principal = req.principal;
    if (principal?.role !== 'read' || !WRITES.has(req.method)) return;
    if (req.routeOptions.config?.readOnly || req.routeOptions.config?.public) return;
    if (OPEN_TO_READERS.has(`${req.method} ${req.routeOptions.url}`)) return;
    throw new HelixError('forbidden', 'role read may not write', { role: 'read', action: 'write' });
  });
}
