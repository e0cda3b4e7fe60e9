import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
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
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stableId } from '../src/core/ids.js';

const ROOT = resolve(fileURLToPath(new URL('..', import.meta.url)));
const BIN = join(ROOT, 'bin', 'hx.js');
const REAL_VAULT =
  process.env.HELIX_OBSIDIAN_VAULT ?? join(ROOT, '..', 'shared', 'data', 'obsidian', 'obsidian-help-en');

// the child must not pick up the developer's own Helix settings
const cleanEnv = (): NodeJS.ProcessEnv =>
  Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('HELIX_')));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function hx(args: string[]): Promise<Run> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: ROOT, env: cleanEnv(), maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => done({ code: err ? Number(err.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

async function hxJson<T>(args: string[]): Promise<T> {
  const run = await hx([...args, '--json']);
  if (run.code !== 0 && run.code !== 2)
    throw new Error(`hx ${args.join(' ')} failed (${run.code}): ${run.stderr}`);
  return JSON.parse(run.stdout) as T;
}

interface ImportResult {
  imported: number;
  updated: number;
  skipped: number;
  failed: number;
  relationships: { imported: number; skipped: number; failed: number };
  failures: { line: number; reason: string; path?: string }[];
  vault: {
    notes: number;
    attachments: number;
    links: { found: number; resolved: number; missing: number; to_notes: number; same_note: number };
    embeds: { found: number; notes: number; attachments: number; missing: number };
    relationships: number;
    missing_links_count: number;
    missing_links: { from: string; target: string; embed?: boolean }[];
  };
  elapsed_ms: number;
}

interface Rec {
  type: string;
  id: string;
  from_node?: string;
  to_node?: string;
  title?: string;
  namespace?: string;
  metadata: Record<string, unknown>;
}

const exported = async (home: string): Promise<Rec[]> => {
  const run = await hx(['--home', home, 'export']);
  expect(run.code).toBe(0);
  return run.stdout
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as Rec);
};

const VAULT: Record<string, string> = {
  'Home.md': `---
aliases: [Start here]
tags: [hub, "#index"]
cssclasses: wide
---
# Home

Read [[Projects/Plan]] first, then [[Plan#Budget|the budget]] and [[Plan#^goals]].
Jump to [[#Home]]. Also [the guide](Guides/Getting%20started.md) and [[Nowhere]].

![[Guides/Getting started]]
![[diagram.png|300]] ![[missing.pdf]]

\`\`\`
[[Inside code]] #not-a-tag
\`\`\`
Inline \`[[Also code]]\` and a #topic/sub tag.
`,
  'Projects/Plan.md': `---
kind: project
tags: planning, work
---
# Plan
## Budget
Goals ^goals

Back to [[start here]].
`,
  // [[Plan]] means the note in the linking note's own folder first: here, itself (no edge)
  'Archive/Old/Plan.md': 'An old plan; [[Plan]].\n',
  'Archive/Old/Index.md': 'The old [[Plan]].\n',
  'Guides/Getting started.md': 'Steps. #guide\n',
  'Guides/diagram.png': 'not really a png',
  '.obsidian/workspace.json': '{}',
  '.obsidian/plugins/x/README.md': 'plugin docs, not a note',
  '.trash/Deleted.md': 'gone',
};

function makeVault(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'helix-obsidian-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

const id = (path: string, namespace = 'default') => stableId(`obsidian:${namespace}:${path}`);

const scratch: string[] = [];
const tempDir = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  scratch.push(d);
  return d;
};

beforeAll(() => {
  // `npm test` builds first; build here only when there is nothing to run at all
  if (!existsSync(join(ROOT, 'dist', 'cli', 'main.js')))
    execFileSync(
      process.execPath,
      [join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      {
        cwd: ROOT,
      },
    );
});

afterAll(() => {
  for (const d of scratch) rmSync(d, { recursive: true, force: true });
});

describe('hx import --obsidian (local data home)', () => {
  let vault: string;
  let home: string;
  let first: ImportResult;

  beforeAll(async () => {
    vault = makeVault(VAULT);
    scratch.push(vault);
    home = tempDir('helix-home-');
    first = await hxJson<ImportResult>(['--home', home, 'import', '--obsidian', vault]);
  });

  it('imports every note and reports the vault', () => {
    expect(first).toMatchObject({
      imported: 5,
      updated: 0,
      skipped: 0,
      failed: 0,
      relationships: { imported: 4, skipped: 0, failed: 0 },
      failures: [],
      vault: {
        notes: 5,
        attachments: 1,
        relationships: 4,
        missing_links_count: 2,
        embeds: { found: 3, notes: 1, attachments: 1, missing: 1 },
      },
    });
    expect(first.vault.missing_links).toEqual([
      { from: 'Home.md', target: 'Nowhere' },
      { from: 'Home.md', target: 'missing.pdf', embed: true },
    ]);
    expect(first.vault.links).toMatchObject({ found: 12, resolved: 10, missing: 2, same_note: 2 });
  });

  it('stores each note with its title, body, kind, tags and Obsidian metadata', async () => {
    const home_ = await hxJson<Record<string, unknown>>(['--home', home, 'get', id('Home.md')]);
    expect(home_).toMatchObject({
      kind: 'fact',
      title: 'Home',
      source: 'obsidian://Home.md',
      namespace: 'default',
      tags: ['hub', 'index', 'topic/sub'],
      metadata: {
        obsidian: {
          path: 'Home.md',
          folder: '',
          aliases: ['Start here'],
          frontmatter: { cssclasses: 'wide' },
          embeds: [
            { target: 'diagram.png', path: 'Guides/diagram.png', display: '300' },
            { target: 'missing.pdf', path: null },
          ],
        },
      },
    });
    expect(String(home_.content).startsWith('# Home\n')).toBe(true);
    const plan = await hxJson<Record<string, unknown>>(['--home', home, 'get', id('Projects/Plan.md')]);
    expect(plan).toMatchObject({ kind: 'project', title: 'Plan', tags: ['planning', 'work'] });
  });

  it('finds notes by their tags', async () => {
    const page = await hxJson<{ items: { title: string }[] }>(['--home', home, 'list', '--tag', 'topic/sub']);
    expect(page.items.map((n) => n.title)).toEqual(['Home']);
  });

  it('turns links into one references edge per pair, headings and aliases kept, no self edge', async () => {
    const edges = (await exported(home)).filter((r) => r.type === 'relationship');
    const pairs = edges.map((e) => `${e.from_node} -> ${e.to_node}`).sort();
    expect(pairs).toEqual(
      [
        `${id('Home.md')} -> ${id('Projects/Plan.md')}`,
        `${id('Home.md')} -> ${id('Guides/Getting started.md')}`,
        // [[start here]] is Home's alias
        `${id('Projects/Plan.md')} -> ${id('Home.md')}`,
        // the plan in the note's own folder wins over the shorter path elsewhere
        `${id('Archive/Old/Index.md')} -> ${id('Archive/Old/Plan.md')}`,
      ].sort(),
    );
    expect(edges.every((e) => e.from_node !== e.to_node)).toBe(true);
    const toPlan = edges.find((e) => e.from_node === id('Home.md') && e.to_node === id('Projects/Plan.md'))!;
    expect(toPlan.metadata).toMatchObject({
      source: 'obsidian',
      links: [{}, { heading: 'Budget', alias: 'the budget' }, { block: 'goals' }],
      count: 3,
    });
    const toGuide = edges.find((e) => e.to_node === id('Guides/Getting started.md'))!;
    expect(toGuide.metadata).toMatchObject({ embed: true, count: 2 });
  });

  it('changes nothing when the same vault is imported again', async () => {
    const again = await hxJson<ImportResult>(['--home', home, 'import', '--obsidian', vault]);
    expect(again).toMatchObject({
      imported: 0,
      updated: 0,
      skipped: 5,
      failed: 0,
      relationships: { imported: 0, skipped: 4, failed: 0 },
    });
  });

  it('prints a short human summary without --json', async () => {
    const run = await hx(['--home', home, 'import', '--obsidian', vault]);
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('notes: imported 0 · updated 0 · skipped 5 · failed 0');
    expect(run.stdout).toContain('missing links: 2');
    expect(run.stdout).toContain('Home.md -> [[Nowhere]]');
  });

  it('puts the notes in --namespace, with ids of their own', async () => {
    const result = await hxJson<ImportResult>([
      '--home',
      home,
      'import',
      '--obsidian',
      vault,
      '--namespace',
      'notes',
    ]);
    expect(result).toMatchObject({ imported: 5, failed: 0, relationships: { imported: 4 } });
    const node = await hxJson<Record<string, unknown>>(['--home', home, 'get', id('Home.md', 'notes')]);
    expect(node).toMatchObject({ namespace: 'notes', title: 'Home' });
  });

  it('refuses a bad namespace and a path that is not a folder', async () => {
    const bad = await hx(['--home', home, 'import', '--obsidian', vault, '--namespace', 'no spaces']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/namespace/);
    const file = await hx(['--home', home, 'import', '--obsidian', join(vault, 'Home.md')]);
    expect(file.code).toBe(1);
  });
});

describe('hx import --obsidian --server', () => {
  let server: ChildProcess;
  let url: string;

  beforeAll(async () => {
    const home = tempDir('helix-server-');
    server = spawn(
      process.execPath,
      [BIN, '--home', home, '--json', 'server', 'start', '--foreground', '--port', '0'],
      {
        cwd: ROOT,
        env: cleanEnv(),
        stdio: 'ignore',
      },
    );
    // the pid file names the url once the server listens (port 0: the OS picked it)
    const pidFile = join(home, 'helix.pid');
    const deadline = Date.now() + 30_000;
    while (!existsSync(pidFile)) {
      if (server.exitCode !== null) throw new Error(`the server exited (${server.exitCode})`);
      if (Date.now() > deadline) throw new Error('the server did not start within 30 s');
      await new Promise((r) => setTimeout(r, 100));
    }
    url = (JSON.parse(readFileSync(pidFile, 'utf8')) as { url: string }).url;
  });

  afterAll(async () => {
    if (server.exitCode === null) {
      const exited = new Promise((ok) => server.once('exit', ok));
      server.kill('SIGTERM');
      await exited;
    }
  });

  it('imports over the REST API, idempotently', async () => {
    const vault = makeVault(VAULT);
    scratch.push(vault);
    const first = await hxJson<ImportResult>(['--server', url, 'import', '--obsidian', vault]);
    expect(first).toMatchObject({ imported: 5, failed: 0, relationships: { imported: 4, failed: 0 } });
    expect(first.vault.missing_links_count).toBe(2);
    const node = await hxJson<Record<string, unknown>>(['--server', url, 'get', id('Projects/Plan.md')]);
    expect(node).toMatchObject({ title: 'Plan', kind: 'project' });
    const again = await hxJson<ImportResult>(['--server', url, 'import', '--obsidian', vault]);
    expect(again).toMatchObject({
      imported: 0,
      updated: 0,
      skipped: 5,
      relationships: { imported: 0, skipped: 4 },
    });
  });
});

const countNotes = (dir: string): number => {
  let n = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    if (entry.isDirectory()) n += countNotes(join(dir, entry.name));
    else if (entry.name.toLowerCase().endsWith('.md')) n++;
  }
  return n;
};

const hasRealVault = existsSync(REAL_VAULT);

describe('the Obsidian help vault', () => {
  it.skipIf(!hasRealVault)(
    hasRealVault
      ? `imports ${REAL_VAULT}, and re-imports it unchanged`
      : `SKIPPED: no vault at ${REAL_VAULT}`,
    async () => {
      const home = tempDir('helix-real-');
      const notes = countNotes(REAL_VAULT);
      const first = await hxJson<ImportResult>(['--home', home, 'import', '--obsidian', REAL_VAULT]);
      expect(first).toMatchObject({ imported: notes, updated: 0, skipped: 0, failed: 0 });
      expect(first.relationships.failed).toBe(0);
      expect(first.relationships.imported).toBe(first.vault.relationships);
      expect(first.vault.notes).toBe(notes);
      expect(first.vault.links.found).toBe(first.vault.links.resolved + first.vault.links.missing);
      // the help vault links densely and almost always to pages that exist
      expect(first.vault.links.resolved / first.vault.links.found).toBeGreaterThan(0.95);
      expect(first.vault.embeds.attachments).toBeGreaterThan(0);

      const again = await hxJson<ImportResult>(['--home', home, 'import', '--obsidian', REAL_VAULT]);
      expect(again).toMatchObject({
        imported: 0,
        updated: 0,
        skipped: notes,
        failed: 0,
        relationships: { imported: 0, skipped: first.relationships.imported, failed: 0 },
      });
      const records = await exported(home);
      expect(records.filter((r) => r.type === 'node')).toHaveLength(notes);
      expect(records.filter((r) => r.type === 'relationship')).toHaveLength(first.relationships.imported);
    },
    120_000,
  );
});
