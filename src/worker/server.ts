import type { Database } from 'better-sqlite3';
import { envKeys, type KeyResolver } from '../ai/catalog.js';
import { type AiServices, createAiServices } from '../ai/service.js';
import { type Clock, systemClock } from '../core/clock.js';
import { withDotEnv } from '../core/config/env.js';
import type { LoadedConfig } from '../core/config/load.js';
import { HelixError } from '../core/errors.js';
import type { Logger } from '../core/logger.js';
import { helixVersion } from '../core/version.js';
import { createHttpServer, type HelixServer } from '../http/server.js';
import { type Authenticator, authenticate } from '../security/authenticate.js';
import type { Principal } from '../security/principal.js';
import { openDatabase } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { CoreBridge } from './core-bridge.js';
import { CoreKeys, providerKeyNames } from './core-keys.js';
import { workerRoutes } from './routes.js';

export interface WorkerOptions {
  loaded: LoadedConfig;
  logger: Logger;
  clock?: Clock;
  /** where provider keys come from (default: the process environment; the vault later) */
  resolveKey?: KeyResolver;
  fetch?: typeof globalThis.fetch;
}

export interface Worker {
  server: HelixServer;
  ai: AiServices;
  bridge: CoreBridge;
  db: Database;
  close(): Promise<void>;
}

/**
 * The worker's authenticator: the shared token and JWTs locally (it holds no key database); any
 * other bearer token is asked of the core, which knows its consumers.
 */
function workerAuthenticator(loaded: LoadedConfig, bridge: CoreBridge): Authenticator {
  const { config } = loaded;
  return async (header) => {
    try {
      return await authenticate(config, header);
    } catch (err) {
      if (!header || !(err instanceof HelixError) || err.code !== 'unauthenticated') throw err;
      try {
        const who = await bridge.whoami(header);
        const role = who.role === 'admin' || who.role === 'write' ? who.role : 'read';
        const via = who.via === 'access_key' || who.via === 'oauth' ? who.via : 'api_key';
        const principal: Principal = {
          id: who.id,
          role,
          namespaces: who.namespaces,
          via,
          ...(who.scope ? { scope: who.scope } : {}),
        };
        return principal;
      } catch {
        throw err;
      }
    }
  };
}

/** SQLite page cache of the worker's connection: 4 MiB (a negative cache_size is in KiB) */
const WORKER_CACHE_KIB = -4096;

/**
 * The AI layer: the SAME pipeline as the core (createHttpServer), its routes, and its own handle
 * on the data home's SQLite file for usage and budget (docs/decisions/0007-llm-router.md). It
 * reaches the core only through the CoreBridge.
 */
export async function createWorkerServer(options: WorkerOptions): Promise<Worker> {
  const { loaded, logger } = options;
  const { config, paths } = loaded;
  const clock = options.clock ?? systemClock;
  let flushOnExit: (() => void) | undefined;
  const db = openDatabase(paths.sqlitePath, {
    busyTimeoutMs: config.storage.busy_timeout_ms,
    synchronous: config.storage.synchronous,
  });
  // This connection appends usage rows and now and then sums them: a small page cache is enough
  // (reads go through the memory map). The storage default, 32 MB per connection, filled up as
  // llm_usage grew and was most of the worker's RSS growth over 100k calls (docs/benchmarks.md 7-c).
  db.pragma(`cache_size = ${WORKER_CACHE_KIB}`);
  let keysTimer: NodeJS.Timeout | undefined;
  try {
    migrate(db, () => clock.now().toISOString());
    // provider keys from the environment or a .env file (working directory, then the data home);
    // alone, the worker also takes those kept with `hx secret` from the core it points at
    const env = envKeys(withDotEnv(process.env, [process.cwd(), paths.home]));
    const coreKeys = options.resolveKey
      ? undefined
      : new CoreKeys(
          new CoreBridge({
            baseUrl: config.worker.core_url,
            timeoutMs: config.worker.core_timeout_ms,
            retries: 0,
            ...(config.auth.token ? { token: config.auth.token } : {}),
            ...(options.fetch ? { fetch: options.fetch } : {}),
          }),
          providerKeyNames(config),
          logger,
        );
    const ai = createAiServices({
      config,
      db,
      clock,
      resolveKey: options.resolveKey ?? ((name) => env(name) ?? coreKeys?.get(name)),
      ...(options.fetch ? { fetch: options.fetch } : {}),
      // the INSERT of a call's usage row runs after its reply is written, in the same tick (rows
      // are visible once the reply is out; `batchMs` would save ~0.1-0.2 ms of CPU per call but
      // hold rows up to that long: not enabled, see decision 0011's addendum)
      usageWrites: {
        endOfTick: true,
        onWriteError: (err, rows) => logger.error({ err, rows }, 'llm_usage rows could not be written'),
      },
    });
    // an exit (a crash included) still writes the queued rows: better-sqlite3 is synchronous
    flushOnExit = () => {
      try {
        ai.usage.flush();
      } catch {
        // the database may already be closed
      }
    };
    process.on('exit', flushOnExit);
    if (coreKeys) {
      if (await coreKeys.refresh()) ai.reloadKeys();
      const every = config.worker.keys_refresh_secs * 1000;
      if (every > 0) {
        keysTimer = setInterval(() => {
          void coreKeys.refresh().then((changed) => changed && ai.reloadKeys());
        }, every);
        keysTimer.unref();
      }
    }
    await ai.router.warm();
    const bridge = new CoreBridge({
      baseUrl: config.worker.core_url,
      timeoutMs: config.worker.core_timeout_ms,
      ...(config.auth.token ? { token: config.auth.token } : {}),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    const server = await createHttpServer({
      config,
      logger,
      openapi: {
        title: 'Helix AI layer',
        version: helixVersion,
        description: 'LLM router across providers, budget, usage and models.',
      },
      authenticate: workerAuthenticator(loaded, bridge),
    });
    await server.register(workerRoutes, { config, ai, bridge });
    await server.ready();
    return {
      server,
      ai,
      bridge,
      db,
      async close() {
        clearInterval(keysTimer);
        try {
          await server.close();
        } finally {
          ai.usage.flush();
          if (flushOnExit) process.off('exit', flushOnExit);
          db.close();
        }
      },
    };
  } catch (err) {
    clearInterval(keysTimer);
    if (flushOnExit) process.off('exit', flushOnExit);
    db.close();
    throw err;
  }
}
