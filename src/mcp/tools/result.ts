import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { errorCatalogue, HelixError, isHelixError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';

export const ok = (text: string, structured: Record<string, unknown>): CallToolResult => ({
  content: [{ type: 'text', text }],
  structuredContent: structured,
});

/**
 * A failed call is a tool error (isError), which the model reads and can act on; the Helix code
 * and its JSON-RPC number ride along so clients can tell "not found" from "forbidden".
 */
export function toolError(err: unknown, logger: Logger): CallToolResult {
  let e: HelixError;
  if (isHelixError(err)) e = err;
  else {
    logger.error({ err }, 'mcp tool failed');
    e = new HelixError('internal_error', 'internal error (see the Helix log)');
  }
  const details = e.details && e.code !== 'internal_error' ? e.details : null;
  return {
    isError: true,
    content: [{ type: 'text', text: `${e.code}: ${e.message}` }],
    structuredContent: {
      error: { code: e.code, message: e.message, jsonrpc_code: errorCatalogue[e.code].jsonrpc, details },
    },
  };
}

export function guard<A>(
  logger: Logger,
  fn: (args: A) => Promise<CallToolResult> | CallToolResult,
): (args: A) => Promise<CallToolResult> {
  return async (args) => {
    try {
      return await fn(args);
    } catch (err) {
      return toolError(err, logger);
    }
  };
}
