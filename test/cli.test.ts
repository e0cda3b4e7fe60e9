import { createServer, type Server } from 'node:net';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hx, spawnServer } from './support/cli.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const dirs: string[] = [];
const fresh = () => {
  const d = tempDir();
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) removeDir(d);
});

describe('hx on a local data home', { timeout: 120_000 }, () => {
  let home: string;
  let id: string;
  beforeAll(async () => {
    home = fresh();
    const res = await hx(
      [
        'store',
        'Quarterly planning notes about the harbour project',
        '--title',
        'Harbour plan',
        '--tag',
        'a',
        '--tag',
        'b',
        '--kind',
        'task',
        '--namespace',
        'work',
        '--importance',
        '0.9',
      ],
      { home },
    );
    expect(res.code, res.stderr).toBe(0);
    id = res.stdout.trim();
  });

  it('store prints the new id; get shows the node', async () => {
    expect(id).toMatch(UUID);
    const human = await hx(['get', id], { home });
    expect(human.code, human.stderr).toBe(0);
    expect(human.stdout).toContain('Harbour plan');
    expect(human.stdout).toContain('Quarterly planning notes');
    const node = (await hx(['--json', 'get', id], { home })).json();
    expect(node).toMatchObject({
      id,
      kind: 'task',
      title: 'Harbour plan',
      namespace: 'work',
      tags: ['a', 'b'],
      importance: 0.9,
      version: 1,
    });
  });

  it('list, search and stats find it', async () => {
    expect((await hx(['list'], { home })).stdout).toContain(id);
    expect(
      (await hx(['--json', 'list', '--namespace', 'work', '--kind', 'task'], { home }))
        .json()
        .items.map((n: { id: string }) => n.id),
    ).toEqual([id]);
    const found = await hx(['search', 'harbour'], { home });
    expect(found.code).toBe(0);
    expect(found.stdout).toContain('Harbour plan');
    expect(found.stdout).not.toContain('<mark>'); // not a terminal: marks are stripped
    const json = (await hx(['--json', 'search', 'harbour', 'project'], { home })).json();
    expect(json.results[0]).toMatchObject({ node: { id }, match_source: 'fulltext' });
    expect((await hx(['--json', 'search', 'nothingmatchesthis'], { home })).json().results).toEqual([]);
    const stats = (await hx(['--json', 'stats'], { home })).json();
    expect(stats).toMatchObject({ nodes: 1, by_kind: { task: 1 }, by_namespace: { work: 1 } });
    expect((await hx(['stats'], { home })).stdout).toMatch(/1 nodes/);
  });

  it('exports to a file and imports it elsewhere; a second import skips everything', async () => {
    await hx(['store', 'second note', '--namespace', 'work'], { home });
    const file = join(fresh(), 'out.jsonl');
    const out = await hx(['--json', 'export', '--out', file], { home });
    expect(out.code, out.stderr).toBe(0);
    expect(out.json()).toMatchObject({ file, lines: 3 });
    expect(
      readFileSync(file, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l).type),
    ).toEqual(['header', 'node', 'node']);
    const other = fresh();
    const first = await hx(['--json', 'import', file], { home: other });
    expect(first.code, first.stderr).toBe(0);
    expect(first.json()).toMatchObject({ imported: 2, skipped: 0, failed: 0 });
    const second = await hx(['--json', 'import', file], { home: other });
    expect(second.json()).toMatchObject({ imported: 0, updated: 0, skipped: 2, failed: 0 });
    expect((await hx(['import', file], { home: other })).stdout).toContain('skipped 2');
    expect((await hx(['--json', 'get', id], { home: other })).json().title).toBe('Harbour plan');
  });

  it('prints valid JSON for every command given --json', async () => {
    const file = join(fresh(), 'e.jsonl');
    for (const args of [
      ['get', id],
      ['list'],
      ['search', 'harbour'],
      ['stats'],
      ['export', '--out', file],
      ['import', file],
      ['config', 'show'],
      ['config', 'validate'],
      ['server', 'status'],
      ['setup', '--quick'],
    ]) {
      const res = await hx(['--json', ...args], { home });
      expect(() => res.json(), `hx --json ${args.join(' ')}`).not.toThrow();
    }
  });

  it('reports errors with exit 1: unknown id, bad kind', async () => {
    const missing = await hx(['get', '01890000-0000-7000-8000-000000000000'], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    const kind = await hx(['store', 'x', '--kind', 'spaceship'], { home });
    expect(kind.code).toBe(1);
    expect(kind.stderr).toMatch(/kind/);
  });
});

describe('hx config', { timeout: 120_000 }, () => {
  it('masks secrets in config show', async () => {
    const res = await hx(['--json', 'config', 'show'], {
      home: fresh(),
      env: { HELIX_AUTH_TOKEN: 'very-secret-token-987' },
    });
    expect(res.code).toBe(0);
    expect(res.stdout).not.toContain('very-secret-token-987');
    expect(res.json().config.auth.token).toBe('[set]');
    expect(
      (await hx(['config', 'show'], { home: fresh(), env: { HELIX_AUTH_TOKEN: 'very-secret-token-987' } }))
        .stdout,
    ).not.toContain('very-secret-token-987');
  });

  it('config set writes the key, keeps comments, and refuses a bad value without touching the file', async () => {
    const home = fresh();
    const file = join(home, 'config.toml');
    writeFileSync(
      file,
      '# my settings\n[server]\n# where I listen\nrest_port = 1234\n\n[search]\n# keep it short\ndefault_limit = 7\n',
    );
    const set = await hx(['config', 'set', 'server.rest_port', '9999'], { home });
    expect(set.code, set.stderr).toBe(0);
    const text = readFileSync(file, 'utf8');
    expect(text).toContain('rest_port = 9999');
    for (const comment of ['# my settings', '# where I listen', '# keep it short', 'default_limit = 7'])
      expect(text).toContain(comment);
    const bad = await hx(['config', 'set', 'server.rest_port', 'abc'], { home });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rest_port/);
    expect(readFileSync(file, 'utf8')).toBe(text);
    expect((await hx(['--json', 'config', 'show'], { home })).json().config.server.rest_port).toBe(9999);
  });

  it('config validate exits 1 naming file, key, expected type and value', async () => {
    const home = fresh();
    writeFileSync(join(home, 'config.toml'), '[server]\nrest_port = "not-a-port"\n');
    const res = await hx(['config', 'validate'], { home });
    expect(res.code).toBe(1);
    const text = res.stdout + res.stderr;
    for (const part of [join(home, 'config.toml'), 'server.rest_port', 'integer', 'not-a-port'])
      expect(text).toContain(part);
    const json = await hx(['--json', 'config', 'validate'], { home });
    expect(json.code).toBe(1);
    expect(json.json().problems[0]).toMatchObject({
      source: join(home, 'config.toml'),
      key: 'server.rest_port',
      expected: 'integer',
      value: 'not-a-port',
    });
    writeFileSync(join(home, 'config.toml'), '[server]\nrest_port = 1\n');
    expect((await hx(['config', 'validate'], { home })).code).toBe(0);
  });

  it('layers file < HELIX_* environment < command-line flag', async () => {
    const home = fresh();
    writeFileSync(join(home, 'config.toml'), '[server]\nrest_port = 1111\n');
    const fromFile = (await hx(['--json', 'config', 'show'], { home })).json();
    expect(fromFile.config.server.rest_port).toBe(1111);
    const fromEnv = (
      await hx(['--json', 'config', 'show'], { home, env: { HELIX_SERVER_REST_PORT: '2222' } })
    ).json();
    expect(fromEnv.config.server.rest_port).toBe(2222);
    expect(fromEnv.origins['server.rest_port']).toBe('environment HELIX_SERVER_REST_PORT');
    // the flag (--port) beats the environment: the env names a port already taken, the flag asks for any
    const taken: Server = createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', () => r()));
    const busy = (taken.address() as { port: number }).port;
    try {
      const server = await spawnServer(home, { env: { HELIX_SERVER_REST_PORT: String(busy) } });
      expect(server.port).not.toBe(busy);
      expect(server.port).toBeGreaterThan(0);
      server.child.kill('SIGKILL'); // shutdown is durability.test.ts's business
      await server.exited;
    } finally {
      taken.close();
    }
  });

  it('refuses to serve in production without auth, saying how to enable it', async () => {
    const res = await hx(['server', 'start', '--foreground', '--port', '0'], {
      home: fresh(),
      env: { HELIX_ENV: 'production' },
    });
    expect(res.code).toBe(1);
    expect(res.stderr).toMatch(/HELIX_AUTH_ENABLED=true/);
  });
});

describe('hx setup and startup', { timeout: 120_000 }, () => {
  it('setup --quick creates the home, its config and database', async () => {
    const home = join(fresh(), 'new-home');
    const res = await hx(['--json', 'setup', '--quick'], { home });
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ home, created: true });
    for (const f of ['config.toml', 'data/helix.db']) expect(existsSync(join(home, f)), f).toBe(true);
    expect((await hx(['--json', 'setup', '--quick'], { home })).json().created).toBe(false);
  });

  it('hx --version answers fast', async () => {
    const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
    await hx(['--version']); // warm the file cache
    const res = await hx(['--version']);
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(pkg.version);
    expect(res.ms).toBeLessThan(1000);
  });
});

describe('hx --server URL', { timeout: 120_000 }, () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s?.close();
  });

  it('stores, gets, lists and searches through the REST API', async () => {
    const home = fresh(); // must stay untouched: everything goes to the server
    const remote = ['--server', s.url];
    const stored = await hx(
      [...remote, 'store', 'Remote lighthouse keeping notes', '--title', 'Lighthouse', '--tag', 'sea'],
      { home },
    );
    expect(stored.code, stored.stderr).toBe(0);
    const id = stored.stdout.trim();
    expect(id).toMatch(UUID);
    expect((await s.api.get(`/api/v1/nodes/${id}`)).body).toMatchObject({
      title: 'Lighthouse',
      tags: ['sea'],
    });
    expect((await hx([...remote, '--json', 'get', id], { home })).json()).toMatchObject({
      id,
      title: 'Lighthouse',
    });
    expect(
      (await hx([...remote, '--json', 'list', '--tag', 'sea'], { home }))
        .json()
        .items.map((n: { id: string }) => n.id),
    ).toEqual([id]);
    const found = (await hx([...remote, '--json', 'search', 'lighthouse'], { home })).json();
    expect(found.results.map((r: { node: { id: string } }) => r.node.id)).toEqual([id]);
    const missing = await hx([...remote, 'get', '01890000-0000-7000-8000-000000000000'], { home });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/not found/);
    expect(existsSync(join(home, 'data'))).toBe(false);
  });
});
