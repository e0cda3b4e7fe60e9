import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { configKeys } from './keys.js';
import { assertSafeForEnv, ConfigError, defaultsFile, loadConfig } from './load.js';
import { renderDefaultToml, setTomlKey } from './toml-text.js';

let home: string;
let cwd: string;
beforeEach(() => {
  home = mkdtempSync(join(tmpdir(), 'helix-cfg-'));
  cwd = mkdtempSync(join(tmpdir(), 'helix-cwd-'));
});
afterEach(() => {
  rmSync(home, { recursive: true, force: true });
  rmSync(cwd, { recursive: true, force: true });
});

const load = (env: Record<string, string> = {}, flags: Record<string, unknown> = {}) =>
  loadConfig({ home, env, flags, cwd });

describe('config', () => {
  it('ships config/helix.toml generated from the schema, every key commented', () => {
    expect(readFileSync(defaultsFile, 'utf8')).toBe(renderDefaultToml());
    const text = readFileSync(defaultsFile, 'utf8').split('\n');
    for (const key of configKeys) {
      const i = text.findIndex((l) => l.startsWith(`${key.key} = `));
      expect(i, key.path).toBeGreaterThan(0);
      expect(
        text
          .slice(0, i)
          .reverse()
          .find((l) => l.trim() !== '')
          ?.startsWith('#'),
        key.path,
      ).toBe(true);
    }
  });

  it('has the reference defaults', () => {
    const { config, paths } = load();
    expect(config.server).toMatchObject({ bind_host: '127.0.0.1', rest_port: 9470, grpc_port: 50051 });
    expect(config.search).toMatchObject({
      default_strategy: 'hybrid',
      default_limit: 10,
      min_score: 0.1,
      vector_weight: 0.6,
      fulltext_weight: 0.4,
    });
    expect(config.graph).toMatchObject({ default_traversal_depth: 2, graph_boost_factor: 0.15 });
    expect(config.embedding).toMatchObject({
      provider: 'local_fastembed',
      model: 'bge-small-en-v1.5',
      dimensions: 384,
    });
    expect(config.worker).toMatchObject({ port: 8200, budget_limit: 100 });
    expect(paths.sqlitePath).toBe(join(home, 'data', 'helix.db'));
  });

  it('layers defaults < user file < environment (.env too) < flags', () => {
    writeFileSync(
      join(home, 'config.toml'),
      '[server]\nrest_port = 1111\ngrpc_port = 2222\nbind_host = "0.0.0.0"\n',
    );
    writeFileSync(join(cwd, '.env'), 'HELIX_SERVER_GRPC_PORT=3333\nHELIX_SEARCH_VECTOR_WEIGHT=0.25\n');
    const { config, origins } = load(
      { HELIX_SERVER_REST_PORT: '4444', HELIX_SERVER_GRPC_PORT: '5555' },
      { 'server.rest_port': 6666 },
    );
    expect(config.server.bind_host).toBe('0.0.0.0');
    expect(config.server.grpc_port).toBe(5555); // the real environment beats .env
    expect(config.search.vector_weight).toBe(0.25); // .env beats the file
    expect(config.server.rest_port).toBe(6666);
    expect(origins['server.rest_port']).toBe('command line');
    expect(origins['server.grpc_port']).toBe('environment HELIX_SERVER_GRPC_PORT');
  });

  it('maps every key to HELIX_<SECTION>_<KEY> and the named variables of the mission', () => {
    const { config } = load({
      HELIX_AUTH_TOKEN: 't0k3n',
      HELIX_AUTH_ENABLED: 'true',
      HELIX_JWT_SECRET: 'jwt',
      HELIX_DAILY_BUDGET: '12.5',
      HELIX_CORE_URL: 'http://core:1',
      HELIX_SERVER_CORS_ALLOWED_ORIGINS: 'http://a,http://b',
      HELIX_DAILY_NOTES_NAMESPACE: 'days',
    });
    expect(config.auth).toMatchObject({ token: 't0k3n', enabled: true, jwt_secret: 'jwt' });
    expect(config.worker).toMatchObject({ budget_limit: 12.5, core_url: 'http://core:1' });
    expect(config.server.cors_allowed_origins).toEqual(['http://a', 'http://b']);
    expect(config.daily_notes.namespace).toBe('days');
  });

  it('lists every problem with its source, key, expected type and value', () => {
    writeFileSync(
      join(home, 'config.toml'),
      '[server]\nrest_port = "x"\nnope = 1\n[search]\nvector_weight = 3\n',
    );
    let err: ConfigError | undefined;
    try {
      load({ HELIX_STORAGE_SYNCHRONOUS: 'sometimes' });
    } catch (e) {
      err = e as ConfigError;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const byKey = Object.fromEntries(err!.problems.map((p) => [p.key, p]));
    expect(byKey['server.rest_port']).toMatchObject({
      source: join(home, 'config.toml'),
      expected: 'integer',
      value: 'x',
    });
    expect(byKey['server.nope']?.message).toBe('unknown key');
    expect(byKey['search.vector_weight']?.value).toBe(3);
    expect(byKey['storage.synchronous']).toMatchObject({
      source: 'environment HELIX_STORAGE_SYNCHRONOUS',
      expected: 'one of normal|full',
    });
  });

  it('reports a TOML syntax error with file and line', () => {
    writeFileSync(join(home, 'config.toml'), '[server\nrest_port = 1\n');
    expect(() => load()).toThrow(/config\.toml line 1/);
  });

  it('refuses production without auth, saying how to enable it', () => {
    expect(() => assertSafeForEnv(load({ HELIX_ENV: 'production' }))).toThrow(/HELIX_AUTH_ENABLED=true/);
    expect(() =>
      assertSafeForEnv(load({ HELIX_ENV: 'production', HELIX_AUTH_ENABLED: 'true', HELIX_AUTH_TOKEN: 'x' })),
    ).not.toThrow();
  });

  it('edits one key in TOML text and keeps comments', () => {
    const text = '# mine\n[server]\n# the port\nrest_port = 1\n\n[search]\nlimit = 2\n';
    expect(setTomlKey(text, 'server', 'rest_port', 9999)).toBe(
      '# mine\n[server]\n# the port\nrest_port = 9999\n\n[search]\nlimit = 2\n',
    );
    expect(setTomlKey(text, 'server', 'bind_host', '0.0.0.0')).toContain(
      'rest_port = 1\nbind_host = "0.0.0.0"\n\n[search]',
    );
    expect(setTomlKey(text, 'graph', 'graph_boost_factor', 0.2)).toMatch(
      /\[graph\]\ngraph_boost_factor = 0.2\n$/,
    );
    expect(setTomlKey('', 'auth', 'enabled', true)).toBe('[auth]\nenabled = true\n');
  });
});
