import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../api/create-app.js';
import { loadConfig } from '../core/config/load.js';
import type { HelixPaths } from '../core/config/paths.js';
import { HelixError } from '../core/errors.js';
import { silentLogger } from '../core/logger.js';
import { validate } from '../core/validate.js';
import { CreateNodeBody } from '../knowledge/nodes/schema.js';
import { createNode, getNode } from '../knowledge/nodes/service.js';
import { makeNode, makeTestApp, type TestApp } from '../testing/make-context.js';
import { backupHome } from './backup.js';
import { readManifest, verifyBackup } from './backup-manifest.js';
import { checkDatabase } from './maintenance.js';
import { restoreHome } from './restore.js';

let t: TestApp;
let scratch: string;
beforeEach(() => {
  t = makeTestApp();
  scratch = mkdtempSync(join(tmpdir(), 'helix-backup-test-'));
});
afterEach(() => {
  t.dispose();
  rmSync(scratch, { recursive: true, force: true });
});

/** The paths of a home that does not exist yet. */
const freshHome = (name = 'restored'): HelixPaths => loadConfig({ home: join(scratch, name), env: {} }).paths;

/** Opens a home (migrating it) for one look, then closes it. */
function withHome<T>(paths: HelixPaths, fn: (app: ReturnType<typeof createApp>) => T): T {
  const app = createApp(loadConfig({ home: paths.home, env: {} }), { logger: silentLogger() });
  try {
    return fn(app);
  } finally {
    app.close();
  }
}

const nodeCount = (app: ReturnType<typeof createApp>) =>
  (app.ctx.db.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n;

const expectHelixError = async (p: Promise<unknown>, code: string, message: RegExp) => {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(HelixError);
  expect(err).toMatchObject({ code, message: expect.stringMatching(message) });
};

function seedFolders(paths: HelixPaths) {
  mkdirSync(join(paths.blobsPath, 'ab'), { recursive: true });
  writeFileSync(join(paths.blobsPath, 'ab', 'cdef.bin'), Buffer.from([0, 1, 2, 3, 255]));
  mkdirSync(join(paths.lancedbPath, 'nodes.lance', 'data'), { recursive: true });
  writeFileSync(join(paths.lancedbPath, 'nodes.lance', 'data', 'part-0.lance'), 'vectors');
  writeFileSync(join(paths.modelsDir, 'tiny.onnx'), 'model bytes');
  writeFileSync(paths.configFile, '[search]\nvector_weight = 0.4\n');
}

describe('backupHome', () => {
  it('writes the database, folders, config and a manifest with sizes and checksums', async () => {
    const n = makeNode(t.ctx, { content: 'remember the milk', tags: ['home'] });
    seedFolders(t.ctx.paths);
    const progress: number[] = [];
    const out = join(scratch, 'b1');
    const r = await backupHome(t.ctx.db, t.ctx.paths, out, {
      onProgress: (p) => progress.push(p.done_bytes),
    });

    expect(r.dir).toBe(out);
    const m = readManifest(out);
    expect(m).toEqual(r.manifest);
    expect(m).toMatchObject({ format_version: 1, node_count: 1, source_home: t.ctx.paths.home });
    expect(m.schema_version).toBeGreaterThanOrEqual(1);
    expect(m.entries.map((e) => e.role).sort()).toEqual(['blobs', 'config', 'database', 'lancedb', 'models']);
    expect(m.files.map((f) => f.path).sort()).toEqual([
      'blobs/ab/cdef.bin',
      'config.toml',
      'helix.db',
      'lancedb/nodes.lance/data/part-0.lance',
      'models/tiny.onnx',
    ]);
    expect(m.files.find((f) => f.path === 'blobs/ab/cdef.bin')).toMatchObject({ size: 5 });
    for (const f of m.files) expect(f.sha256).toMatch(/^[0-9a-f]{64}$/);
    // a self-contained file: no WAL belongs to the copy
    expect(existsSync(join(out, 'helix.db-wal'))).toBe(false);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.at(-1)).toBe(r.total_bytes);
    await expect(verifyBackup(out)).resolves.toEqual(m);

    const paths = freshHome();
    const restored = await restoreHome(out, paths);
    expect(restored).toMatchObject({ node_count: 1, replaced: false, files: 5 });
    expect(readFileSync(join(paths.blobsPath, 'ab', 'cdef.bin'))).toEqual(Buffer.from([0, 1, 2, 3, 255]));
    expect(readFileSync(paths.configFile, 'utf8')).toContain('vector_weight = 0.4');
    withHome(paths, (app) => {
      expect(getNode(app.ctx, n.id)).toMatchObject({ content: 'remember the milk', tags: ['home'] });
      expect(checkDatabase(app.ctx.db).ok).toBe(true);
    });
  });

  it('leaves models out when asked, and the default folder is under $HELIX_HOME/backups', async () => {
    seedFolders(t.ctx.paths);
    const r = await backupHome(t.ctx.db, t.ctx.paths, undefined, { includeModels: false });
    expect(r.dir.startsWith(join(t.ctx.paths.home, 'backups', 'helix-backup-'))).toBe(true);
    expect(r.manifest.entries.map((e) => e.role)).not.toContain('models');
    expect(r.manifest.files.some((f) => f.path.startsWith('models/'))).toBe(false);
  });

  it('refuses a non-empty output folder and leaves no partial backup behind', async () => {
    const out = join(scratch, 'taken');
    mkdirSync(out);
    writeFileSync(join(out, 'something'), 'x');
    await expectHelixError(backupHome(t.ctx.db, t.ctx.paths, out), 'conflict', /not empty/);
    await expectHelixError(
      backupHome(t.ctx.db, t.ctx.paths, join(t.ctx.paths.blobsPath, 'b')),
      'validation_error',
      /inside the blobs folder/,
    );
  });

  it('takes a consistent, restorable copy while another connection keeps writing', async () => {
    // big enough that the copy needs many steps, so the writer lands between them
    const filler = 'the quick brown fox jumps over the lazy dog '.repeat(400);
    t.ctx.db.transaction(() => {
      for (let i = 0; i < 400; i++) makeNode(t.ctx, { content: `${filler} ${i}` });
    })();
    const writer = createApp(loadConfig({ home: t.home, env: {} }), { logger: silentLogger() });
    let writing = true;
    let written = 0;
    const loop = new Promise<void>((resolve, reject) => {
      const step = () => {
        if (!writing) return resolve();
        try {
          createNode(
            writer.ctx,
            validate(CreateNodeBody, { content: `written during backup ${written}`, tags: ['live'] }),
          );
          written++;
          setImmediate(step);
        } catch (err) {
          reject(err);
        }
      };
      setImmediate(step);
    });
    const before = 400;
    let r: Awaited<ReturnType<typeof backupHome>>;
    try {
      r = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'live'));
    } finally {
      writing = false;
      await loop;
      writer.close();
    }
    expect(written).toBeGreaterThan(0);
    expect(r.manifest.node_count).toBeGreaterThanOrEqual(before);
    expect(r.manifest.node_count).toBeLessThanOrEqual(before + written);

    const paths = freshHome();
    await restoreHome(r.dir, paths);
    withHome(paths, (app) => {
      const check = checkDatabase(app.ctx.db);
      expect(check.problems).toEqual([]);
      expect(check.counts.nodes).toBe(r.manifest.node_count);
      expect(check.counts.fts_rows).toBe(r.manifest.node_count);
    });
  });
});

describe('restoreHome', () => {
  it('refuses a home holding data unless forced, then replaces it entirely', async () => {
    const kept = makeNode(t.ctx, { content: 'from the backup' });
    const b = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'b'));

    const paths = freshHome('busy');
    const other = withHome(paths, (app) =>
      createNode(app.ctx, validate(CreateNodeBody, { content: 'already here' })),
    );
    mkdirSync(paths.blobsPath, { recursive: true });
    writeFileSync(join(paths.blobsPath, 'stray.bin'), 'not in the backup');

    await expectHelixError(
      restoreHome(b.dir, paths),
      'conflict',
      /already holds data \(database, blobs\).*--force/,
    );
    withHome(paths, (app) => expect(getNode(app.ctx, other.id).content).toBe('already here'));

    const r = await restoreHome(b.dir, paths, { force: true });
    expect(r.replaced).toBe(true);
    expect(existsSync(join(paths.blobsPath, 'stray.bin'))).toBe(false);
    withHome(paths, (app) => {
      expect(nodeCount(app)).toBe(1);
      expect(getNode(app.ctx, kept.id).content).toBe('from the backup');
      expect(checkDatabase(app.ctx.db).ok).toBe(true);
    });
    // nothing of the swap is left next to the targets
    const leftovers = (dir: string) =>
      existsSync(dir) ? readdirSync(dir).filter((f) => /\.(replaced|restoring)-/.test(f)) : [];
    expect([...leftovers(paths.dataDir), ...leftovers(paths.home)]).toEqual([]);
  });

  it('refuses a backup whose files do not match the manifest, touching nothing', async () => {
    makeNode(t.ctx, { content: 'x' });
    seedFolders(t.ctx.paths);
    const b = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'tampered'));
    writeFileSync(join(b.dir, 'blobs', 'ab', 'cdef.bin'), Buffer.from([0, 1, 2, 3, 254]));

    await expectHelixError(verifyBackup(b.dir), 'validation_error', /damaged: blobs\/ab\/cdef.bin/);
    const paths = freshHome();
    await expectHelixError(restoreHome(b.dir, paths), 'validation_error', /checksum/);
    expect(existsSync(paths.home)).toBe(false);

    rmSync(join(b.dir, 'blobs', 'ab', 'cdef.bin'));
    await expectHelixError(
      restoreHome(b.dir, paths),
      'validation_error',
      /incomplete: blobs\/ab\/cdef.bin is missing/,
    );
  });

  it('refuses manifests that name paths outside the backup or an unknown format', async () => {
    const b = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'evil'));
    const file = join(b.dir, 'manifest.json');
    const original = readFileSync(file, 'utf8');
    const edit = (fn: (m: Record<string, unknown>) => void) => {
      const m = JSON.parse(original) as Record<string, unknown>;
      fn(m);
      writeFileSync(file, JSON.stringify(m));
    };
    edit((m) =>
      (m.files as unknown[]).push({ path: 'blobs/../../../etc/passwd', size: 1, sha256: 'a'.repeat(64) }),
    );
    await expectHelixError(restoreHome(b.dir, freshHome()), 'validation_error', /unsafe path/);
    edit((m) => {
      m.format_version = 2;
    });
    await expectHelixError(restoreHome(b.dir, freshHome()), 'validation_error', /format 2/);
    await expectHelixError(restoreHome(scratch, freshHome()), 'not_found', /not a Helix backup/);
  });

  it('refuses while a server holds the home', async () => {
    const b = await backupHome(t.ctx.db, t.ctx.paths, join(scratch, 'b'));
    const paths = freshHome();
    mkdirSync(paths.home, { recursive: true });
    writeFileSync(paths.pidFile, JSON.stringify({ pid: process.pid, url: 'http://127.0.0.1:1' }));
    await expectHelixError(restoreHome(b.dir, paths, { force: true }), 'conflict', /running.*hx server stop/);
    rmSync(paths.pidFile);
    await expect(restoreHome(b.dir, paths)).resolves.toMatchObject({ node_count: 0 });
  });
});
