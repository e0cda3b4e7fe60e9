import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from './database.js';
import { migrate, MigrationError, migrationStatus } from './migrations.js';

let dir: string;
const now = () => '2026-01-01T00:00:00.000Z';
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'helix-mig-'));
  writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE a (x INTEGER);');
  writeFileSync(join(dir, '0002_second.sql'), 'CREATE TABLE b (y INTEGER);');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('migrations', () => {
  it('applies pending migrations in order, once, recording checksums', () => {
    const db = openDatabase(join(dir, 'x.db'));
    expect(migrate(db, now, dir).map((m) => m.name)).toEqual(['first', 'second']);
    expect(migrate(db, now, dir)).toEqual([]);
    const status = migrationStatus(db, dir);
    expect(status.every((s) => s.state === 'applied' && s.checksum.length === 64)).toBe(true);
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.pragma('foreign_keys', { simple: true })).toBe(1);
    db.close();
  });

  it('refuses a migration that changed after it was applied', () => {
    const db = openDatabase(join(dir, 'x.db'));
    migrate(db, now, dir);
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE a (x INTEGER, z TEXT);');
    expect(() => migrate(db, now, dir)).toThrow(MigrationError);
    expect(() => migrate(db, now, dir)).toThrow(/0001_first\.sql was changed after it was applied/);
    db.close();
  });

  it('refuses a database migrated by a newer Helix', () => {
    const db = openDatabase(join(dir, 'x.db'));
    migrate(db, now, dir);
    rmSync(join(dir, '0002_second.sql'));
    expect(() => migrate(db, now, dir)).toThrow(/newer version/);
    db.close();
  });

  it('rolls back every pending migration when one fails', () => {
    writeFileSync(join(dir, '0003_broken.sql'), 'CREATE TABLE c (; nonsense');
    const db = openDatabase(join(dir, 'x.db'));
    expect(() => migrate(db, now, dir)).toThrow(/0003_broken\.sql failed/);
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name IN ('a', 'b')")
      .all();
    expect(tables).toEqual([]);
    db.close();
  });
});
