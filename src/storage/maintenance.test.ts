import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../core/config/load.js';
import { makeNode, makeTestApp, type TestApp } from '../testing/make-context.js';
import { openDatabase } from './database.js';
import { checkDatabase, dbStatus, rebuildFulltext, vacuumDatabase } from './maintenance.js';
import { migrate } from './migrations.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.dispose());

const matches = (word: string) =>
  (t.ctx.db.prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?').get(word) as { n: number })
    .n;

describe('dbStatus', () => {
  it('reports the schema version, migrations, journal mode and size', () => {
    const s = dbStatus(t.ctx.db, t.ctx.paths);
    expect(s).toMatchObject({ exists: true, journal_mode: 'wal', pending: 0 });
    expect(s.schema_version).toBeGreaterThanOrEqual(1);
    expect(s.applied).toBe(s.migrations.length);
    expect(s.migrations[0]).toMatchObject({ version: 1, name: 'init', state: 'applied' });
    expect(s.page_size * s.page_count).toBeGreaterThan(0);
    expect(s.db_bytes).toBeGreaterThan(0);
  });

  it('lists migrations as pending on a database that was not migrated, and without one', () => {
    const home = mkdtempSync(join(tmpdir(), 'helix-status-'));
    try {
      const { paths } = loadConfig({ home, env: {} });
      const none = dbStatus(undefined, paths);
      expect(none).toMatchObject({ exists: false, schema_version: 0, applied: 0 });
      expect(none.pending).toBe(none.migrations.length);

      const db = openDatabase(paths.sqlitePath);
      try {
        expect(dbStatus(db, paths).pending).toBeGreaterThan(0);
        migrate(db, () => '2026-01-01T00:00:00.000Z');
        expect(dbStatus(db, paths)).toMatchObject({ pending: 0, exists: true });
      } finally {
        db.close();
      }
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });
});

describe('checkDatabase', () => {
  it('passes on a healthy database and counts its rows', () => {
    const a = makeNode(t.ctx, { content: 'alpha', tags: ['x', 'y'] });
    makeNode(t.ctx, { content: 'beta' });
    t.ctx.db
      .prepare(
        `INSERT INTO relationships (id, from_node, to_node, kind, created_at) VALUES ('r1', ?, ?, 'related', 'now')`,
      )
      .run(a.id, a.id);
    const r = checkDatabase(t.ctx.db);
    expect(r.problems).toEqual([]);
    expect(r.ok).toBe(true);
    expect(r.counts).toMatchObject({ nodes: 2, node_tags: 2, relationships: 1, fts_rows: 2, tombstones: 0 });
    expect(r.counts.node_versions).toBeGreaterThanOrEqual(2);
  });

  it('detects a node written without its full-text row, and rebuild fixes it', () => {
    makeNode(t.ctx, { content: 'indexed normally' });
    t.ctx.db
      .prepare(
        `INSERT INTO nodes (id, kind, content, created_at, updated_at) VALUES ('bypass', 'fact', 'smuggled words', 'x', 'x')`,
      )
      .run();
    expect(matches('smuggled')).toBe(0);

    const r = checkDatabase(t.ctx.db);
    expect(r.ok).toBe(false);
    expect(r.problems).toContainEqual(expect.objectContaining({ check: 'fulltext', fix: 'hx db reindex' }));
    expect(r.counts).toMatchObject({ nodes: 2, fts_rows: 1 });

    expect(rebuildFulltext(t.ctx.db).rows).toBe(2);
    expect(checkDatabase(t.ctx.db)).toMatchObject({ ok: true, problems: [] });
    expect(matches('smuggled')).toBe(1);
  });

  it('detects an index damaged by a delete with the wrong values, and rebuild fixes it', () => {
    const n = makeNode(t.ctx, { content: 'original words', title: 'T' });
    const { seq } = t.ctx.db.prepare('SELECT seq FROM nodes WHERE id = ?').get(n.id) as { seq: number };
    t.ctx.db
      .prepare(
        `INSERT INTO nodes_fts (nodes_fts, rowid, title, content, tags) VALUES ('delete', ?, 'X', 'other words', NULL)`,
      )
      .run(seq);
    expect(checkDatabase(t.ctx.db).problems.map((p) => p.check)).toContain('fulltext');
    rebuildFulltext(t.ctx.db);
    expect(checkDatabase(t.ctx.db).ok).toBe(true);
    expect(matches('original')).toBe(1);
    expect(matches('other')).toBe(0);
  });

  it('reports rows whose foreign key points nowhere', () => {
    makeNode(t.ctx, { content: 'x' });
    // written the way a crash mid-import or an old bug could leave it
    t.ctx.db.pragma('foreign_keys = OFF');
    t.ctx.db.prepare(`INSERT INTO node_tags (node_id, tag) VALUES ('ghost', 'orphan')`).run();
    t.ctx.db.pragma('foreign_keys = ON');
    const r = checkDatabase(t.ctx.db);
    expect(r.ok).toBe(false);
    expect(r.problems).toEqual([
      expect.objectContaining({ check: 'foreign_keys', message: expect.stringContaining('node_tags') }),
    ]);
  });
});

describe('vacuumDatabase', () => {
  it('reclaims the space of deleted rows and leaves the data intact', () => {
    const big = 'lorem ipsum dolor '.repeat(2000);
    const ids = Array.from({ length: 40 }, () => makeNode(t.ctx, { content: big }).id);
    t.ctx.db.pragma('wal_checkpoint(TRUNCATE)');
    t.ctx.db.prepare('DELETE FROM node_versions').run();
    for (const id of ids.slice(5)) t.ctx.db.prepare('DELETE FROM nodes WHERE id = ?').run(id);
    rebuildFulltext(t.ctx.db);

    const r = vacuumDatabase(t.ctx.db);
    expect(r.after_bytes).toBeLessThan(r.before_bytes);
    expect(r.reclaimed_bytes).toBe(r.before_bytes - r.after_bytes);
    expect(r.wal_busy).toBe(false);
    expect(dbStatus(t.ctx.db, t.ctx.paths).wal_bytes).toBe(0);
    expect(checkDatabase(t.ctx.db)).toMatchObject({ ok: true, counts: { nodes: 5, fts_rows: 5 } });
  });
});
