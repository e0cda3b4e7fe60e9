import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

// End to end over the built CLI (`npm run build` first): each call is a real `hx` process.
const root = fileURLToPath(new URL('..', import.meta.url));
const bin = join(root, 'bin', 'hx.js');

let scratch: string;
let home: string;

const env = () => {
  const e: NodeJS.ProcessEnv = { ...process.env };
  for (const k of Object.keys(e)) if (k.startsWith('HELIX_')) delete e[k];
  return e;
};

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function hx(homeDir: string, ...args: string[]): Run {
  const r = spawnSync(process.execPath, [bin, '--home', homeDir, ...args], {
    cwd: scratch,
    env: env(),
    encoding: 'utf8',
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Runs a command with --json, expects exit 0 (unless told) and parses stdout. */
function json<T = Record<string, unknown>>(homeDir: string, args: string[], expectedCode = 0): T {
  const r = hx(homeDir, ...args, '--json');
  expect(r.code, `hx ${args.join(' ')} exited ${r.code}: ${r.stderr}`).toBe(expectedCode);
  return JSON.parse(r.stdout) as T;
}

beforeAll(() => {
  if (!existsSync(join(root, 'dist', 'cli', 'main.js'))) throw new Error('build first: npm run build');
  scratch = mkdtempSync(join(tmpdir(), 'helix-db-cli-'));
  home = join(scratch, 'home');
});
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('hx db', () => {
  it('status shows pending migrations before the first open, migrate applies them once', () => {
    const before = json<{ exists: boolean; pending: number; schema_version: number }>(home, ['db', 'status']);
    expect(before).toMatchObject({ exists: false, schema_version: 0 });
    expect(before.pending).toBeGreaterThan(0);

    const first = json<{ applied: { version: number; name: string }[]; schema_version: number }>(home, [
      'db',
      'migrate',
    ]);
    expect(first.applied[0]).toEqual({ version: 1, name: 'init' });
    expect(first.applied).toHaveLength(before.pending);
    expect(json(home, ['db', 'migrate'])).toMatchObject({
      applied: [],
      schema_version: first.schema_version,
    });

    expect(json(home, ['db', 'status'])).toMatchObject({ exists: true, pending: 0, journal_mode: 'wal' });
  });

  it('check passes, detects a node missing from the full-text index (exit 1), reindex repairs it', () => {
    json(home, ['store', 'the first note about backups', '--tag', 'cli']);
    expect(json(home, ['db', 'check'])).toMatchObject({
      ok: true,
      problems: [],
      counts: { nodes: 1, fts_rows: 1 },
    });

    const db = new BetterSqlite3(join(home, 'data', 'helix.db'));
    db.prepare(
      `INSERT INTO nodes (id, kind, content, created_at, updated_at) VALUES ('bypass', 'fact', 'unindexed words', 'x', 'x')`,
    ).run();
    db.close();

    const bad = json<{ ok: boolean; problems: { check: string }[] }>(home, ['db', 'check'], 1);
    expect(bad.ok).toBe(false);
    expect(bad.problems.map((p) => p.check)).toContain('fulltext');
    const human = hx(home, 'db', 'check');
    expect(human.code).toBe(1);
    expect(human.stdout).toMatch(/fulltext: .*hx db reindex/);

    expect(json(home, ['db', 'reindex'])).toMatchObject({ fulltext: { rows: 2 } });
    expect(json(home, ['db', 'check'])).toMatchObject({ ok: true, counts: { nodes: 2, fts_rows: 2 } });
  });

  it('vacuum reports sizes before and after', () => {
    const r = json<{ before_bytes: number; after_bytes: number; reclaimed_bytes: number }>(home, [
      'db',
      'vacuum',
    ]);
    expect(r.before_bytes).toBeGreaterThan(0);
    expect(r.after_bytes).toBeGreaterThan(0);
    expect(r.reclaimed_bytes).toBe(Math.max(0, r.before_bytes - r.after_bytes));
  });
});

describe('hx backup / hx restore', () => {
  it('backs up, restores into a fresh home with the node there, and refuses to overwrite without --force', () => {
    const node = json<{ id: string }>(home, ['store', 'restore me please', '--title', 'Backup test']);
    const out = join(scratch, 'backup-1');
    const b = json<{ dir: string; manifest: { node_count: number; format_version: number } }>(home, [
      'backup',
      '--out',
      out,
    ]);
    expect(b.dir).toBe(out);
    expect(b.manifest).toMatchObject({ format_version: 1, node_count: 3 });

    const fresh = join(scratch, 'fresh-home');
    expect(json(fresh, ['restore', out])).toMatchObject({ node_count: 3, replaced: false });
    expect(json(fresh, ['get', node.id])).toMatchObject({
      content: 'restore me please',
      title: 'Backup test',
    });
    expect(json(fresh, ['db', 'check'])).toMatchObject({ ok: true });

    const again = hx(fresh, 'restore', out, '--json');
    expect(again.code).toBe(1);
    expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'conflict' } });
    expect(json(fresh, ['restore', out, '--force'])).toMatchObject({ node_count: 3, replaced: true });
  });

  it('backup without --out goes under the home, human output names the folder', () => {
    const r = hx(home, 'backup');
    expect(r.code, r.stderr).toBe(0);
    const prefix = join(home, 'backups', 'helix-backup-').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(r.stdout).toMatch(new RegExp(`backup written to ${prefix}\\d{8}T\\d{6}Z`));
  });
});
