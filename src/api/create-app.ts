import { type Clock, systemClock } from '../core/clock.js';
import type { LoadedConfig } from '../core/config/load.js';
import type { Context } from '../core/context.js';
import { EventBus } from '../core/events.js';
import { type IdGenerator, uuidV7Ids } from '../core/ids.js';
import { createLogger, type Logger } from '../core/logger.js';
import { openDatabase } from '../storage/database.js';
import { ensureHome } from '../storage/home.js';
import { migrate } from '../storage/migrations.js';
import { SearchRuntime } from '../search/runtime.js';
import { flushAccess } from '../search/recall/access-log.js';
import { Keychain } from '../vault/keychain.js';
import { NodeCipher } from '../vault/at-rest/node-cipher.js';
import { setFieldCodec } from '../storage/sealed-fields.js';
import { ensureConfigSecrets, redact, registerEnvSecrets } from '../security/redact.js';

export interface AppOptions {
  clock?: Clock;
  ids?: IdGenerator;
  logger?: Logger;
  /** also print warnings on stderr (the server in the foreground) */
  consoleLogs?: boolean;
}

export interface App {
  ctx: Context;
  loaded: LoadedConfig;
  /** vectors and the embedding worker; started by the server or a recall, not by every command */
  search: SearchRuntime;
  /** the keychain: sealed at start; its key lives in this process's memory only while unsealed */
  vault: Keychain;
  /** stops the search runtime (waits for a batch in flight), then closes the database */
  shutdown(): Promise<void>;
  close(): void;
}

/**
 * The composition root: builds the data home, database (migrated), clock, ids, event bus and
 * logger once. Servers and CLI commands receive the resulting context; nothing else builds one.
 */
export function createApp(loaded: LoadedConfig, options: AppOptions = {}): App {
  const { config, paths } = loaded;
  ensureHome(paths);
  const clock = options.clock ?? systemClock;
  // the output sanitizer learns the configured and environment secrets before anything is logged
  ensureConfigSecrets(config);
  registerEnvSecrets();
  const logger =
    options.logger ??
    createLogger({
      level: config.logging.level,
      logDir: paths.logDir,
      console: options.consoleLogs ?? false,
      sanitize: redact,
    });
  const db = openDatabase(paths.sqlitePath, {
    busyTimeoutMs: config.storage.busy_timeout_ms,
    synchronous: config.storage.synchronous,
  });
  try {
    migrate(db, () => clock.now().toISOString());
  } catch (err) {
    db.close();
    throw err;
  }
  const ctx: Context = {
    config,
    paths,
    db,
    clock,
    ids: options.ids ?? uuidV7Ids,
    bus: new EventBus(),
    logger,
  };
  let closed = false;
  const search = new SearchRuntime(ctx);
  const vault = new Keychain(ctx);
  // encryption at rest: node rows are sealed and opened with a data key the vault unwraps
  const cipher = new NodeCipher(ctx, vault);
  setFieldCodec(db, cipher);
  ctx.bus.on('vault.state', ({ state }) => {
    if (state === 'sealed') cipher.forget();
  });
  return {
    ctx,
    loaded,
    search,
    vault,
    async shutdown() {
      await search.close();
      this.close();
    },
    close() {
      if (closed) return;
      closed = true;
      vault.seal();
      flushAccess(db);
      try {
        db.pragma('optimize');
      } catch {
        // best effort: a read-only or busy database can skip it
      }
      db.close();
      logger.flush?.();
    },
  };
}
