import type { AddressInfo } from 'node:net';
import type { KeyResolver } from '../ai/catalog.js';
import { setLocalWorkerUrl } from '../ai/worker-client.js';
import type { LoadedConfig } from '../core/config/load.js';
import { createLogger, type Logger } from '../core/logger.js';
import { createWorkerServer, type Worker, type WorkerOptions } from './server.js';

export interface RunningWorker {
  worker: Worker;
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Starts the AI layer on `[worker] host:port` (port 0 picks a free one). */
export async function startWorkerServer(
  loaded: LoadedConfig,
  options: { logger?: Logger; consoleLogs?: boolean } & Omit<
    Partial<WorkerOptions>,
    'loaded' | 'logger'
  > = {},
): Promise<RunningWorker> {
  const { config, paths } = loaded;
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      logDir: paths.logDir,
      console: options.consoleLogs ?? false,
    });
  const worker = await createWorkerServer({ ...options, loaded, logger });
  try {
    await worker.server.listen({ host: config.worker.host, port: config.worker.port });
  } catch (err) {
    await worker.close();
    throw err;
  }
  const port = (worker.server.server.address() as AddressInfo).port;
  const host = config.worker.host;
  const url = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  logger.info({ url, core: config.worker.core_url }, 'AI layer listening');
  let closing: Promise<void> | undefined;
  return {
    worker,
    url,
    port,
    close() {
      closing ??= (async () => {
        const timer = setTimeout(
          () => worker.server.server.closeAllConnections(),
          config.server.shutdown_timeout_secs * 1000,
        );
        try {
          await worker.close();
        } finally {
          clearTimeout(timer);
        }
      })();
      return closing;
    },
  };
}

/**
 * The AI layer beside a core in the same process (`hx server start`): it talks to that core's
 * actual URL. A failure to start (port taken) leaves the core running and is reported, not fatal.
 */
export async function startWorkerBeside(
  loaded: LoadedConfig,
  core: { url: string; logger: Logger; resolveKey?: KeyResolver },
  port?: number,
): Promise<{ running?: RunningWorker; error?: string }> {
  const worker = { ...loaded.config.worker, core_url: core.url, ...(port !== undefined ? { port } : {}) };
  try {
    const running = await startWorkerServer(
      { ...loaded, config: { ...loaded.config, worker } },
      {
        logger: core.logger.child({ component: 'worker' }),
        ...(core.resolveKey ? { resolveKey: core.resolveKey } : {}),
      },
    );
    // the core beside it proxies /api/v1/ai/* here (its port may have been 0)
    setLocalWorkerUrl(running.url);
    return { running };
  } catch (err) {
    core.logger.warn({ err }, 'the AI layer did not start');
    return { error: (err as Error).message };
  }
}
