import { PassThrough, Writable } from 'node:stream';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { App } from '../api/create-app.js';
import { HelixError } from '../core/errors.js';
import { ChangeFollower } from '../knowledge/events/change-follower.js';
import { createAuthenticator } from '../security/authenticate.js';
import { localAdmin, type Principal } from '../security/principal.js';
import { filterLine, LineSplitter, tooLongReply } from './line-filter.js';
import { createMcpServer } from './server.js';

/**
 * Who an `hx mcp` session runs as. An access key is resolved by the one authenticator every
 * surface uses, even with `[auth] enabled = false`: a key passed on purpose must limit the agent.
 * Without a key: the local owner when auth is off, else the bearer token (HELIX_AUTH_TOKEN).
 */
export async function stdioPrincipal(
  app: App,
  credentials: { accessKey?: string | undefined; token?: string | undefined },
): Promise<Principal> {
  const { ctx } = app;
  if (credentials.accessKey) {
    const forced = { ...ctx, config: { ...ctx.config, auth: { ...ctx.config.auth, enabled: true } } };
    return createAuthenticator(forced)(`Bearer ${credentials.accessKey}`);
  }
  if (!ctx.config.auth.enabled) return localAdmin;
  if (!credentials.token)
    throw new HelixError('unauthenticated', 'auth is enabled: pass --access-key KEY or set HELIX_AUTH_TOKEN');
  return createAuthenticator(ctx)(`Bearer ${credentials.token}`);
}

/**
 * Serves MCP on stdin/stdout until stdin closes. stdout carries protocol only: every other write
 * to it (a stray console.log in any library) is diverted to stderr for the life of the session.
 */
export async function serveStdio(app: App, principal: Principal): Promise<void> {
  const realWrite = process.stdout.write.bind(process.stdout) as (
    chunk: string | Uint8Array,
    cb?: (err?: Error | null) => void,
  ) => boolean;
  process.stdout.write = ((chunk: string | Uint8Array, ...rest: never[]) =>
    process.stderr.write(chunk, ...rest)) as typeof process.stdout.write;
  const protocolOut = new Writable({
    write(chunk: Buffer, _enc, cb) {
      realWrite(chunk, cb);
    },
  });
  const input = new PassThrough();
  const mcp = createMcpServer(
    {
      ctx: app.ctx,
      search: app.search,
      principal,
      maxTokens: app.ctx.config.mcp.max_answer_tokens,
      requestId: 'mcp-stdio',
    },
    { notifications: true },
  );
  // vectors load in the background (no queue draining here: the server does that); until they
  // are ready recall answers from full text
  void app.search.start();
  // the change feed, not this process's own events: writes by the server or an import reach
  // this session's notifications too
  const follower = new ChangeFollower(app.ctx, { intervalMs: app.ctx.config.server.events_poll_interval_ms });
  follower.start();
  await mcp.server.connect(new StdioServerTransport(input, protocolOut));

  const max = app.ctx.config.server.body_limit_bytes;
  const splitter = new LineSplitter(
    max,
    (line) => {
      const r = filterLine(line);
      if (!r) return;
      if ('pass' in r) input.write(`${r.pass}\n`);
      else protocolOut.write(`${r.reply}\n`);
    },
    () => protocolOut.write(`${tooLongReply(max)}\n`),
  );
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => splitter.push(chunk));
  await new Promise<void>((resolve) => {
    process.stdin.once('end', resolve);
    process.stdin.once('close', resolve);
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  follower.stop();
  await mcp.close();
}
