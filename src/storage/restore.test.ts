import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/create-app.js';
import { loadConfig } from '../core/config/load.js';
import { HelixError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { getNode } from '../knowledge/nodes/service.js';
import { makeNode, makeTestApp, type TestApp } from '../testing/make-context.js';
import { backupHome } from './backup.js';
import { restoreHome } from './restore.js';

let t: TestApp;
let scratch: string;
beforeEach(() => {
  t = makeTestApp();
  scratch = mkdtempSync(join(tmpdir(), 'helix-restore-test-'));
});
afterEach(() => {
  t.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

const expectHelixError = async (p: Promise<unknown>, code: string, message: RegExp) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HelixError);
  expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
};

/** A backup whose config.toml moves every storage path away from the defaults. */
async function backupWithMovedStorage(config: string) {
  const n = makeNode(t.ctx, { content: 'kept across the move' });
  mkdirSync(t.ctx.paths.blobsPath, { recursive: true });
  writeFileSync(join(t.ctx.paths.blobsPath, 'a.bin'), 'blob');
  mkdirSync(join(t.ctx.paths.lancedbPath, 'nodes.lance'), { recursive: true });
  writeFileSync(join(t.ctx.paths.lancedbPath, 'nodes.lance', 'part.lance'), 'vectors');
  writeFileSync(t.ctx.paths.configFile, config);
  const b = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'b'));
  return { id: n.id, dir: b.dir };
}

describe('restoreHome with storage paths set in the backed-up config', () => {
  it("puts the data where the backup's config.toml says, so the restored home finds it", async () => {
    const vectors = join(scratch, 'vectors-elsewhere');
    const { id, dir } = await backupWithMovedStorage(
      `[storage]\ndata_dir = "store"\nsqlite_path = "main.sqlite"\nlancedb_path = ${JSON.stringify(vectors)}\nblobs_path = "files"\n`,
    );
    const home = join(scratch, 'restored');
    // the target's current config (defaults) would put everything under data/
    const current = loadConfig({ home, env: {} }).paths;

    const r = await restoreHome(dir, current);
    expect(r).toMatchObject({ node_count: 1, replaced: false });

    expect(existsSync(current.sqlitePath)).toBe(false);
    expect(existsSync(current.blobsPath)).toBe(false);
    expect(existsSync(current.lancedbPath)).toBe(false);
    const restored = loadConfig({ home, env: {} }).paths;
    expect(restored.sqlitePath).toBe(join(home, 'store', 'main.sqlite'));
    expect(readFileSync(join(home, 'store', 'files', 'a.bin'), 'utf8')).toBe('blob');
    expect(readFileSync(join(vectors, 'nodes.lance', 'part.lance'), 'utf8')).toBe('vectors');
    const app = createApp(loadConfig({ home, env: {} }), { logger: silentLogger() });
    try {
      expect(app.ctx.paths.sqlitePath).toBe(restored.sqlitePath);
      expect(getNode(app.ctx, id).content).toBe('kept across the move');
    } finally {
      app.close();
    }
  });

  it("refuses to overwrite data already at the backup's paths unless forced", async () => {
    const { dir } = await backupWithMovedStorage('[storage]\ndata_dir = "store"\n');
    const home = join(scratch, 'restored');
    const current = loadConfig({ home, env: {} }).paths;
    mkdirSync(join(home, 'store', 'blobs'), { recursive: true });
    writeFileSync(join(home, 'store', 'blobs', 'stray.bin'), 'already here');

    await expectHelixError(restoreHome(dir, current), 'conflict', /already holds data \(blobs\).*--force/);
    expect(existsSync(join(home, 'store', 'helix.db'))).toBe(false);

    const r = await restoreHome(dir, current, { force: true });
    expect(r.replaced).toBe(true);
    expect(existsSync(join(home, 'store', 'blobs', 'stray.bin'))).toBe(false);
    expect(readFileSync(join(home, 'store', 'blobs', 'a.bin'), 'utf8')).toBe('blob');
  });

  it('refuses a backed-up config.toml this Helix cannot load, touching nothing', async () => {
    const { dir } = await backupWithMovedStorage('[storage]\nno_such_key = 1\n');
    const home = join(scratch, 'restored');
    await expectHelixError(
      restoreHome(dir, loadConfig({ home, env: {} }).paths),
      'validation_error',
      /config\.toml does not load.*no_such_key/s,
    );
    expect(existsSync(home)).toBe(false);
  });
});
