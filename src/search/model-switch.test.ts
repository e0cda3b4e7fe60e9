import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../api/create-app.js';
import { loadConfig } from '../core/config/load.js';
import { silentLogger } from '../core/logger.js';
import { makeNode } from '../testing/make-context.js';

let home: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'helix-switch-'));
});
afterEach(() => rmSync(home, { recursive: true, force: true }));

const open = (flags: Record<string, unknown>) =>
  createApp(loadConfig({ home, env: {}, flags: { 'embedding.provider': 'hash', ...flags } }), {
    logger: silentLogger(),
  });

async function fill(app: App) {
  await app.search.start();
  await app.search.worker!.drain();
  await app.search.worker!.runBatch(); // an empty batch completes the space
}

const spaces = (app: App) =>
  app.ctx.db.prepare('SELECT id, state, active FROM vector_spaces ORDER BY id').all() as {
    id: string;
    state: string;
    active: number;
  }[];

describe('a model switch', () => {
  it("drops the old model's vectors once the new space is complete", async () => {
    const first = open({ 'embedding.dimensions': 32 });
    for (let i = 0; i < 5; i++) makeNode(first.ctx, { content: `note ${i}` });
    await fill(first);
    expect((await first.search.store!.listSpaces()).map((s) => s.dimensions)).toEqual([32]);
    await first.shutdown();

    const second = open({ 'embedding.dimensions': 64 });
    await second.search.start();
    // while the new space fills, the old one is still there (recall says "full text only")
    expect((await second.search.store!.listSpaces()).map((s) => s.dimensions).sort()).toEqual([32, 64]);
    await second.search.worker!.drain();
    await second.search.worker!.runBatch();
    const left = await second.search.store!.listSpaces();
    expect(left.map((s) => [s.dimensions, s.rows])).toEqual([[64, 5]]);
    expect(spaces(second)).toEqual([{ id: 'hash:fnv1a-ngram:64', state: 'complete', active: 1 }]);
    await second.shutdown();
  });

  it('keeps them with [embedding] keep_previous_spaces = true', async () => {
    const first = open({ 'embedding.dimensions': 32 });
    makeNode(first.ctx, { content: 'one note' });
    await fill(first);
    await first.shutdown();
    const second = open({ 'embedding.dimensions': 64, 'embedding.keep_previous_spaces': true });
    await fill(second);
    expect((await second.search.store!.listSpaces()).map((s) => s.dimensions).sort()).toEqual([32, 64]);
    expect(spaces(second).map((s) => [s.id, s.active])).toEqual([
      ['hash:fnv1a-ngram:32', 0],
      ['hash:fnv1a-ngram:64', 1],
    ]);
    await second.shutdown();
  });
});
