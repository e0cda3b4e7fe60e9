import { McpError } from '@modelcontextprotocol/sdk/types.js';
import { errorCatalogue, isHelixError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';

/**
 * Resources and prompts fail as JSON-RPC errors (they have no isError result): the Helix code's
 * JSON-RPC number from the one catalogue, and the code itself in `data`.
 */
export function rpcError(err: unknown, logger: Logger): McpError {
  if (err instanceof McpError) return err;
  if (isHelixError(err))
    return new McpError(errorCatalogue[err.code].jsonrpc, err.message, { code: err.code });
  logger.error({ err }, 'mcp request failed');
  return new McpError(errorCatalogue.internal_error.jsonrpc, 'internal error (see the Helix log)', {
    code: 'internal_error',
  });
}

export async function orRpcError<T>(logger: Logger, fn: () => Promise<T> | T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw rpcError(err, logger);
  }
}
