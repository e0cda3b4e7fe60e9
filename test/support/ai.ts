import type { Database } from 'better-sqlite3';
import { createAiServices, type AiServices } from '../../src/ai/service.js';
import { envKeys } from '../../src/ai/catalog.js';
import { ManualClock } from '../../src/core/clock.js';
import { loadConfig } from '../../src/core/config/load.js';
import { openDatabase } from '../../src/storage/database.js';
import { migrate } from '../../src/storage/migrations.js';
import type { FakeLlm } from './fake-llm.js';
import { removeDir, tempDir } from './temp.js';

export interface TestAi extends AiServices {
  db: Database;
  clock: ManualClock;
  close(): void;
}

/** Provider keys and base URLs pointing every OpenAI- and Anthropic-format provider at the fake. */
export const fakeProviderEnv = { OPENAI_API_KEY: 'sk-fake-openai', ANTHROPIC_API_KEY: 'sk-fake-anthropic' };
export const fakeBaseUrls = (fake: FakeLlm) => [
  `openai=${fake.openaiBase}`,
  `anthropic=${fake.anthropicBase}`,
];

/** The AI services over a fresh migrated SQLite file, on a manual clock, calling the fake. */
export function makeTestAi(
  fake: FakeLlm,
  flags: Record<string, unknown> = {},
  env: Record<string, string> = fakeProviderEnv,
): TestAi {
  const home = tempDir();
  const loaded = loadConfig({ home, env: {}, flags: { 'worker.base_urls': fakeBaseUrls(fake), ...flags } });
  const db = openDatabase(loaded.paths.sqlitePath);
  migrate(db, () => new Date().toISOString());
  const clock = new ManualClock('2026-03-01T12:00:00.000Z');
  const services = createAiServices({ config: loaded.config, db, clock, resolveKey: envKeys(env) });
  return {
    ...services,
    db,
    clock,
    close() {
      db.close();
      removeDir(home);
    },
  };
}
