import { rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { assertSafeForEnv, type LoadedConfig } from '../core/config/load.js';
import type { PidFile } from '../storage/pid-file.js';
import { type App, createApp } from './create-app.js';
import { buildCoreServer } from './core-server.js';

export interface RunningServer {
  app: App;
  url: string;
  port: number;
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
  let server: Awaited<ReturnType<typeof buildCoreServer>>;
  try {
    server = await buildCoreServer(app);
    await server.listen({ host: config.server.bind_host, port: config.server.rest_port });
  } catch (err) {
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
  app.ctx.logger.info({ url, home: paths.home }, 'core server listening');
  // vectors load in the background: the server answers (full text) while the embedder starts
  void app.search.start({ background: true });
  let closing: Promise<void> | undefined;
  return {
    app,
    url,
    port,
    close() {
      closing ??= (async () => {
        const timeout = setTimeout(
          () => server.server.closeAllConnections(),
          config.server.shutdown_timeout_secs * 1000,
        );
        try {
          await server.close();
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
