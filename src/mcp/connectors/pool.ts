import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import {
  BrokenCircuitError,
  type CircuitBreakerPolicy,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleAll,
} from 'cockatiel';
import type { Context } from '../../core/context.js';
import { HelixError, isHelixError } from '../../core/errors.js';
import { helixVersion } from '../../core/version.js';
import type { connectorStates } from './schema.js';
import type { StoredConnector } from './store.js';

type BreakerState = (typeof connectorStates)[number];
const stateNames: Record<CircuitState, BreakerState> = {
  [CircuitState.Closed]: 'closed',
  [CircuitState.Open]: 'open',
  [CircuitState.HalfOpen]: 'half-open',
  [CircuitState.Isolated]: 'isolated',
};

export interface ConnectorTool {
  name: string;
  description: string | null;
  input_schema: Record<string, unknown>;
}

export interface PoolOptions {
  /** resolves a secret by name (vault, keyring or HELIX_SECRET_*); throws when it does not exist */
  resolveSecret: (name: string) => string;
  /** consecutive failures that open a connector's breaker (default 3) */
  failures?: number;
  /** how long an open breaker waits before letting one trial call through (default 30 s) */
  halfOpenAfterMs?: number;
}

/**
 * Helix as an MCP client. Every connector has its own circuit breaker, so one that hangs or
 * crashes is isolated after a few failures (calls fail fast with `unavailable`) while the others
 * keep working; after `halfOpenAfterMs` one trial call decides whether it closes again.
 * Each call connects, works and disconnects: no child process outlives the call that needed it.
 */
export class ConnectorPool {
  readonly #breakers = new Map<string, CircuitBreakerPolicy>();

  constructor(
    private readonly ctx: Context,
    private readonly options: PoolOptions,
  ) {}

  #breaker(id: string): CircuitBreakerPolicy {
    let b = this.#breakers.get(id);
    if (!b) {
      b = circuitBreaker(handleAll, {
        halfOpenAfter: this.options.halfOpenAfterMs ?? 30_000,
        breaker: new ConsecutiveBreaker(this.options.failures ?? 3),
      });
      b.onBreak(() =>
        this.ctx.logger.warn({ connector: id }, 'mcp connector isolated after repeated failures'),
      );
      this.#breakers.set(id, b);
    }
    return b;
  }

  state(id: string): BreakerState {
    const b = this.#breakers.get(id);
    return b ? stateNames[b.state] : 'closed';
  }

  /** Forgets a connector's breaker (after it was changed or deleted). */
  reset(id: string): void {
    this.#breakers.delete(id);
  }

  #transport(c: StoredConnector): Transport {
    if (c.transport === 'http') {
      const headers: Record<string, string> = c.bearer_secret
        ? { authorization: `Bearer ${this.options.resolveSecret(c.bearer_secret)}` }
        : {};
      return new StreamableHTTPClientTransport(new URL(c.url!), { requestInit: { headers } });
    }
    const env: Record<string, string> = { ...getDefaultEnvironment(), ...c.env };
    for (const [name, secret] of Object.entries(c.secret_env)) env[name] = this.options.resolveSecret(secret);
    return new StdioClientTransport({ command: c.command!, args: c.args, env, stderr: 'ignore' });
  }

  async #with<T>(c: StoredConnector, fn: (client: Client) => Promise<T>): Promise<T> {
    if (!c.enabled) throw new HelixError('conflict', `connector ${c.name} is disabled`, { id: c.id });
    const timeoutMs = this.ctx.config.mcp.connector_timeout_ms;
    try {
      return await this.#breaker(c.id).execute(async () => {
        const client = new Client({ name: 'helix', version: helixVersion });
        let timer: NodeJS.Timeout | undefined;
        try {
          const work = (async () => {
            await client.connect(this.#transport(c), { timeout: timeoutMs });
            return await fn(client);
          })();
          const expired = new Promise<never>((_, reject) => {
            timer = setTimeout(
              () =>
                reject(
                  new HelixError('unavailable', `connector ${c.name} did not answer within ${timeoutMs} ms`),
                ),
              timeoutMs,
            );
          });
          return await Promise.race([work, expired]);
        } finally {
          clearTimeout(timer);
          await client.close().catch(() => {});
        }
      });
    } catch (err) {
      if (err instanceof BrokenCircuitError)
        throw new HelixError(
          'unavailable',
          `connector ${c.name} is isolated after repeated failures; retry later`,
          {
            id: c.id,
            breaker: this.state(c.id),
          },
        );
      if (isHelixError(err)) throw err;
      // the connector's own words may echo its environment: keep them in the log, not the answer
      this.ctx.logger.warn({ connector: c.id, err: (err as Error).message }, 'mcp connector failed');
      throw new HelixError('unavailable', `connector ${c.name} failed (see the Helix log)`, {
        id: c.id,
        breaker: this.state(c.id),
      });
    }
  }

  async listTools(c: StoredConnector): Promise<ConnectorTool[]> {
    return this.#with(c, async (client) => {
      const res = await client.listTools(undefined, { timeout: this.ctx.config.mcp.connector_timeout_ms });
      return res.tools.map((t) => ({
        name: t.name,
        description: t.description ?? null,
        input_schema: t.inputSchema as Record<string, unknown>,
      }));
    });
  }

  async callTool(c: StoredConnector, name: string, args: Record<string, unknown>) {
    return this.#with(c, async (client) => {
      const res = await client.callTool({ name, arguments: args }, undefined, {
        timeout: this.ctx.config.mcp.connector_timeout_ms,
      });
      return {
        is_error: res.isError === true,
        content: (res.content ?? []) as Record<string, unknown>[],
        structured_content: (res.structuredContent ?? null) as Record<string, unknown> | null,
      };
    });
  }
}
