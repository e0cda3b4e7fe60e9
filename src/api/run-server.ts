import { rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { assertSafeForEnv, type LoadedConfig } from '../core/config/load.js';
import { ChangeFollower } from '../knowledge/events/change-follower.js';
import { watchEncryption } from '../knowledge/nodes/encryption-runtime.js';
import { createAuthenticator } from '../security/authenticate.js';
import type { PidFile } from '../storage/pid-file.js';
import { type App, createApp } from './create-app.js';
import { buildCoreServer } from './core-server.js';
import { createRateLimiter, type RateLimiter } from '../security/rate-limit.js';
import { type GrpcServer, startGrpcServer } from './grpc/server.js';

export interface RunningServer {
  app: App;
  url: string;
  port: number;
  /** the gRPC port (`[server] grpc_port`; the bound one when that is 0) */
  grpcPort: number;
  /** finishes in-flight requests (up to the shutdown timeout), then closes the database */
  close(): Promise<void>;
}

/** Starts the core server on the configured host and port and records the pid file. */
export async function startCoreServer(
  loaded: LoadedConfig,
  options: { consoleLogs?: boolean } = {},
): Promise<RunningServer> {
  assertSafeForEnv(loaded);
  const app = createApp(loaded, { consoleLogs: options.consoleLogs ?? false });
  const { config, paths } = loaded;
  // definitely assigned once the try below completes (its catch rethrows)
  let server!: Awaited<ReturnType<typeof buildCoreServer>>;
  let grpc!: GrpcServer;
  let limiter: RateLimiter | null = null;
  try {
    // one authenticator for every surface: REST, WebSocket and gRPC resolve callers alike
    const authenticate = createAuthenticator(app.ctx);
    // ...and one rate limiter, so an identity has one budget whichever surface it calls
    limiter = createRateLimiter(config, Date.now, { logger: app.ctx.logger });
    server = await buildCoreServer(app, { authenticate, limiter });
    await server.listen({ host: config.server.bind_host, port: config.server.rest_port });
    grpc = await startGrpcServer(app, {
      authenticate,
      limiter,
      host: config.server.bind_host,
      port: config.server.grpc_port,
    });
  } catch (err) {
    if (server) await server.close();
    await limiter?.close();
    app.close();
    throw err;
  }
  const port = (server.server.address() as AddressInfo).port;
  const host = config.server.bind_host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const pid: PidFile = {
    pid: process.pid,
    host,
    port,
    url,
    home: paths.home,
    started_at: new Date().toISOString(),
  };
  writeFileSync(paths.pidFile, `${JSON.stringify(pid)}\n`);
  app.ctx.logger.info({ url, grpc_port: grpc.port, home: paths.home }, 'core server listening');
  // change events for the WebSocket (and later webhooks), including other processes' writes
  const follower = new ChangeFollower(app.ctx, { intervalMs: config.server.events_poll_interval_ms });
  follower.start();
  // vectors load in the background: the server answers (full text) while the embedder starts
  void app.search.start({ background: true });
  // rows move to the form `[encryption]` asks for whenever the vault key is here
  const atRest = watchEncryption(app.ctx, () => app.vault.unsealed);
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    port,
    grpcPort: grpc.port,
    close() {
      closing ??= (async () => {
        const timeout = setTimeout(
          () => server.server.closeAllConnections(),
          config.server.shutdown_timeout_secs * 1000,
        );
        try {
          follower.stop();
          await atRest.stop();
          await Promise.all([server.close(), grpc.close(config.server.shutdown_timeout_secs * 1000)]);
          await limiter?.close();
        } finally {
          clearTimeout(timeout);
          await app.shutdown();
          rmSync(paths.pidFile, { force: true });
        }
      })();
      return closing;
    },
  };
}
