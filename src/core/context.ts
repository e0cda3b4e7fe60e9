import type { Database } from 'better-sqlite3';
import type { Clock } from './clock.js';
import type { HelixConfig } from './config/schema.js';
import type { HelixPaths } from './config/paths.js';
import type { EventBus } from './events.js';
import type { IdGenerator } from './ids.js';
import type { Logger } from './logger.js';

/** What every use case receives: built once by `createApp`, never reached through globals. */
export interface Context {
  config: HelixConfig;
  paths: HelixPaths;
  db: Database;
  clock: Clock;
  ids: IdGenerator;
  bus: EventBus;
  logger: Logger;
}
