import { ClientRequestSchema, JSONRPCMessageSchema } from '@modelcontextprotocol/sdk/types.js';

type RequestSchema = (typeof ClientRequestSchema.options)[number];
const requestSchemas = new Map<string, RequestSchema>(
  ClientRequestSchema.options.map((o) => [o.shape.method.value as string, o]),
);

/**
 * A request to a known method whose params do not fit it gets -32602 (invalid params) here: the
 * SDK would answer -32603 (internal error) for what is the caller's mistake. Null when fine.
 */
export function invalidParams(message: unknown): string | null {
  if (typeof message !== 'object' || message === null) return null;
  const m = message as { id?: unknown; method?: unknown; params?: unknown };
  if (m.id === undefined || typeof m.method !== 'string') return null;
  const schema = requestSchemas.get(m.method);
  if (!schema) return null;
  const r = schema.safeParse({ method: m.method, params: m.params });
  if (r.success) return null;
  const issue = r.error.issues[0];
  const where = issue?.path.length ? ` at ${issue.path.join('.')}` : '';
  return rpcError(m.id, -32602, `Invalid params for ${m.method}${where}: ${issue?.message ?? 'invalid'}`);
}

export type FilterResult = { pass: string } | { reply: string };

const rpcError = (id: unknown, code: number, message: string) =>
  JSON.stringify({
    jsonrpc: '2.0',
    id: typeof id === 'string' || typeof id === 'number' ? id : null,
    error: { code, message },
  });

/**
 * Checks one stdio line before the SDK sees it. The SDK's stdio transport drops a line that is not
 * JSON or not JSON-RPC with no answer at all; a client then waits forever. Here such a line gets
 * the JSON-RPC error the spec names (-32700 parse error, -32600 invalid request) and the session
 * goes on.
 */
export function filterLine(line: string): FilterResult | null {
  const text = line.trim();
  if (text === '') return null;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { reply: rpcError(null, -32700, 'Parse error: the line is not valid JSON') };
  }
  const id = typeof value === 'object' && value !== null ? (value as { id?: unknown }).id : null;
  if (Array.isArray(value))
    return {
      reply: rpcError(null, -32600, 'Invalid Request: batches are not supported, send one message per line'),
    };
  if (!JSONRPCMessageSchema.safeParse(value).success)
    return { reply: rpcError(id, -32600, 'Invalid Request: not a JSON-RPC 2.0 message') };
  const bad = invalidParams(value);
  return bad ? { reply: bad } : { pass: text };
}

/**
 * Splits a byte stream into lines, refusing (with one error reply) a line longer than `maxBytes`
 * without holding it in memory.
 */
export class LineSplitter {
  #buffer = '';
  #dropping = false;

  constructor(
    private readonly maxBytes: number,
    private readonly onLine: (line: string) => void,
    private readonly onTooLong: () => void,
  ) {}

  push(chunk: string): void {
    let data = chunk;
    for (;;) {
      const nl = data.indexOf('\n');
      if (nl === -1) {
        if (this.#dropping) return;
        this.#buffer += data;
        if (this.#buffer.length > this.maxBytes) {
          this.#buffer = '';
          this.#dropping = true;
          this.onTooLong();
        }
        return;
      }
      const head = data.slice(0, nl);
      data = data.slice(nl + 1);
      if (this.#dropping) {
        this.#dropping = false;
        continue;
      }
      const line = this.#buffer + head;
      this.#buffer = '';
      if (line.length > this.maxBytes) this.onTooLong();
      else this.onLine(line);
    }
  }
}

export const tooLongReply = (maxBytes: number) =>
  rpcError(null, -32600, `Invalid Request: a message may be at most ${maxBytes} bytes`);
