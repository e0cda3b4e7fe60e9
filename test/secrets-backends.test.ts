import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { HelixError } from '../src/core/errors.js';
import { cliActor } from '../src/vault/keychain-audit.js';
import type { KeyringPort } from '../src/vault/secrets/keyring.js';
import { Secrets } from '../src/vault/secrets/service.js';
import { removeDir, tempDir } from './support/temp.js';

/** Backend order and fallback of `hx secret`, with an in-memory keyring standing in for the OS one. */
const PASS = 'backends passphrase 1';
let apps: App[] = [];
let homes: string[] = [];

async function open(flags: Record<string, unknown> = {}) {
  const home = tempDir();
  homes.push(home);
  const app = createApp(
    loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash', ...flags } }),
  );
  apps.push(app);
  await app.vault.init({ passphrase: PASS }, cliActor());
  return app;
}

const memoryKeyring = () => {
  const m = new Map<string, string>();
  const port: KeyringPort = {
    get: (a) => m.get(a) ?? null,
    set: (a, v) => void m.set(a, v),
    delete: (a) => m.delete(a),
  };
  return { m, probe: () => ({ ok: true as const, keyring: port }) };
};
const broken = () => ({ ok: false as const, reason: 'AccessDenied' });

afterEach(() => {
  for (const a of apps) a.close();
  for (const h of homes) removeDir(h);
  apps = [];
  homes = [];
});

describe('secret backends', () => {
  it('prefers a working keyring: the value lives there, only name and metadata in the database', async () => {
    const app = await open();
    const kr = memoryKeyring();
    const s = new Secrets(app.ctx, app.vault, { keyring: kr.probe, env: {} });
    expect(s.set(cliActor(), 'smtp', 'kr-value-1', { host: 'mail' }).backend).toBe('keyring');
    expect(kr.m.get('smtp')).toBe('kr-value-1');
    const row = app.ctx.db.prepare('SELECT * FROM vault_secrets WHERE name = ?').get('smtp') as Record<
      string,
      unknown
    >;
    expect(row).toMatchObject({
      backend: 'keyring',
      ciphertext: null,
      wrapped_dek: null,
      metadata: '{"host":"mail"}',
    });
    expect(s.get(cliActor(), 'smtp')).toEqual({ key: 'smtp', value: 'kr-value-1', backend: 'keyring' });
    // sealed vault does not matter for keyring-held secrets
    app.vault.seal();
    expect(s.get(cliActor(), 'smtp').value).toBe('kr-value-1');
    s.delete(cliActor(), 'smtp');
    expect(kr.m.size).toBe(0);
    expect(() => s.get(cliActor(), 'smtp')).toThrow(/not found/);
  });

  it('falls back to the vault when the keyring is unavailable, says so once, never errors', async () => {
    const app = await open();
    const notices: string[] = [];
    const s = new Secrets(app.ctx, app.vault, { keyring: broken, env: {}, notice: (m) => notices.push(m) });
    expect(s.set(cliActor(), 'a', 'vault-value-a').backend).toBe('vault');
    expect(s.set(cliActor(), 'b', 'vault-value-b').backend).toBe('vault');
    expect(notices).toHaveLength(1);
    expect(notices[0]).toContain('AccessDenied');
    expect(notices[0]).toContain('encrypted vault');
    expect(s.status()).toMatchObject({
      write_backend: 'vault',
      backends: [
        { name: 'keyring', available: false, reason: 'AccessDenied' },
        { name: 'vault', available: true },
        { name: 'env', writable: false },
      ],
    });
    expect(s.get(cliActor(), 'a').value).toBe('vault-value-a');
    // a new version replaces the value
    expect(s.set(cliActor(), 'a', 'vault-value-a2').version).toBe(2);
    expect(s.get(cliActor(), 'a').value).toBe('vault-value-a2');
    app.vault.seal();
    const err = (() => {
      try {
        s.get(cliActor(), 'a');
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(HelixError);
    expect((err as HelixError).code).toBe('vault_sealed');
    expect(() => s.set(cliActor(), 'c', 'x')).toThrow(/sealed/);
  });

  it('follows the configured order and reads HELIX_SECRET_<NAME> read-only', async () => {
    const app = await open({ 'vault.secrets_backends': ['vault', 'keyring', 'env'] });
    const kr = memoryKeyring();
    const env = { HELIX_SECRET_GITHUB_TOKEN: 'env-gh-1', HELIX_SECRET_X: '' };
    const s = new Secrets(app.ctx, app.vault, { keyring: kr.probe, env });
    expect(s.set(cliActor(), 'first', 'v-first').backend).toBe('vault');
    expect(kr.m.size).toBe(0);
    expect(s.get(cliActor(), 'github_token')).toEqual({
      key: 'github_token',
      value: 'env-gh-1',
      backend: 'env',
    });
    expect(s.get(cliActor(), 'github-token').backend).toBe('env');
    expect(s.list().map((i) => [i.key, i.backend])).toEqual([
      ['first', 'vault'],
      ['github_token', 'env'],
    ]);
    expect(() => s.delete(cliActor(), 'github_token')).toThrow(/read-only/);
    app.vault.seal();
    // the environment still answers while the vault is sealed
    expect(s.get(cliActor(), 'github_token').value).toBe('env-gh-1');
  });

  it('refuses an unknown backend name and reserved or malformed secret names', async () => {
    const app = await open({ 'vault.secrets_backends': ['vault', 'cloud'] });
    expect(() => new Secrets(app.ctx, app.vault)).toThrow(/unknown backend cloud/);
    const ok = await open();
    const s = new Secrets(ok.ctx, ok.vault, { keyring: broken, env: {} });
    expect(() => s.set(cliActor(), 'status', 'x')).toThrow(/reserved/);
    expect(() => s.set(cliActor(), '../etc', 'x')).toThrow(/key/);
    expect(() => s.set(cliActor(), 'ok', '')).toThrow(/empty/);
  });
});
