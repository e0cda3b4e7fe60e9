import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../api/create-app.js';
import { ManualClock } from '../core/clock.js';
import { loadConfig } from '../core/config/load.js';
import type { Context } from '../core/context.js';
import { silentLogger } from '../core/logger.js';
import { validate } from '../core/validate.js';
import { CreateNodeBody, type CreateNodeInput, type KnowledgeNode } from '../knowledge/nodes/schema.js';
import { createNode } from '../knowledge/nodes/service.js';

export interface TestApp extends App {
  home: string;
  clock: ManualClock;
  dispose(): void;
}

/** A real app (SQLite file, migrations) in a fresh temp home, on a manual clock, for unit tests. */
export function makeTestApp(flags: Record<string, unknown> = {}): TestApp {
  const home = mkdtempSync(join(tmpdir(), 'helix-unit-'));
  const clock = new ManualClock('2026-01-01T00:00:00.000Z');
  const app = createApp(loadConfig({ home, env: {}, flags }), { clock, logger: silentLogger() });
  return {
    ...app,
    home,
    clock,
    dispose() {
      app.close();
      rmSync(home, { recursive: true, force: true });
    },
  };
}

let counter = 0;

/** Stores a node with sensible defaults; the clock ticks so creation times differ. */
export function makeNode(ctx: Context, overrides: Partial<CreateNodeInput> = {}): KnowledgeNode {
  counter++;
  (ctx.clock as ManualClock).advance?.(1000);
  return createNode(ctx, validate(CreateNodeBody, { content: `note number ${counter}`, ...overrides }));
}
