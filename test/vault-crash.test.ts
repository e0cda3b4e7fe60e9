import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { readCredential, createCredential } from '../src/vault/credentials/service.js';
import { cliActor } from '../src/vault/keychain-audit.js';
import { Secrets } from '../src/vault/secrets/service.js';
import { runChild } from './support/child.js';
import { removeDir, tempDir } from './support/temp.js';

/** kill -9 in the middle of key rotation: after a restart every value reads back exactly. */
const PASS = 'crash test passphrase';
const child = fileURLToPath(new URL('./support/vault-rotate-child.ts', import.meta.url));
let home: string | undefined;
afterEach(() => removeDir(home));

const open = (h: string) =>
  createApp(loadConfig({ home: h, env: {}, cwd: h, flags: { 'embedding.provider': 'hash' } }));
const noKeyring = () => ({ ok: false as const, reason: 'test: no keyring' });

async function seed(h: string) {
  const app = open(h);
  await app.vault.init({ passphrase: PASS }, cliActor());
  const expected = new Map<string, string>();
  for (let i = 0; i < 40; i++) {
    const value = `cred-value-${i}-${Math.random().toString(36).slice(2)}`;
    const c = createCredential(app.ctx, app.vault, cliActor(), {
      name: `c${i}`,
      kind: 'password',
      value,
      tags: [],
      metadata: {},
    });
    expected.set(c.id, value);
  }
  const secrets = new Secrets(app.ctx, app.vault, { keyring: noKeyring, env: {} });
  const secretValues = new Map<string, string>();
  for (let i = 0; i < 20; i++) {
    const v = `secret-value-${i}-${Math.random().toString(36).slice(2)}`;
    secrets.set(cliActor(), `s${i}`, v);
    secretValues.set(`s${i}`, v);
  }
  app.close();
  return { expected, secretValues };
}

async function verify(h: string, expected: Map<string, string>, secretValues: Map<string, string>) {
  const app = open(h);
  try {
    await app.vault.unseal(PASS, cliActor());
    for (const [id, value] of expected)
      expect(readCredential(app.ctx, app.vault, cliActor(), id).value).toBe(value);
    const secrets = new Secrets(app.ctx, app.vault, { keyring: noKeyring, env: {} });
    for (const [name, value] of secretValues) expect(secrets.get(cliActor(), name).value).toBe(value);
    const epochs = app.vault.epochs();
    expect(epochs.filter((e) => e.state === 'active')).toHaveLength(1);
    const used = app.ctx.db
      .prepare(
        'SELECT DISTINCT epoch FROM keychain_credential_versions UNION SELECT DISTINCT epoch FROM vault_secrets',
      )
      .all() as { epoch: number }[];
    expect(used).toEqual([{ epoch: epochs.find((e) => e.state === 'active')!.epoch }]);
    // and the vault keeps working: one more rotation after the crash
    const r = await app.vault.rotate({}, cliActor());
    expect(r.rewrapped).toBe(60);
    for (const [id, value] of expected)
      expect(readCredential(app.ctx, app.vault, cliActor(), id).value).toBe(value);
    return epochs;
  } finally {
    app.close();
  }
}

const run = (args: string[], killAfterMs?: number) =>
  runChild(child, args, { VAULT_PASS: PASS }, killAfterMs);

describe('vault crash safety', () => {
  it('SIGKILL between two re-wrapped rows of a rotation: the rotation never happened', async () => {
    home = tempDir();
    const { expected, secretValues } = await seed(home);
    // rotations 1 and 2 commit; the third dies after re-wrapping 30 of its 60 rows
    const r = await run([home, '3', '30', '30']);
    expect(r.signal, r.err).toBe('SIGKILL');
    expect(r.out).toBe('rotated 1\nrotated 2\n');
    const epochs = await verify(home, expected, secretValues);
    expect(epochs.map((e) => [e.epoch, e.state])).toEqual([
      [1, 'grace'],
      [2, 'grace'],
      [3, 'active'],
    ]);
  }, 60_000);

  it('SIGKILL at a random moment of back-to-back rotations (grace 0: epochs retire as they go)', async () => {
    home = tempDir();
    const { expected, secretValues } = await seed(home);
    const r = await run([home, '0', '0', '0'], 150 + Math.floor(Math.random() * 400));
    expect(r.signal, r.err).toBe('SIGKILL');
    const epochs = await verify(home, expected, secretValues);
    expect(epochs.length).toBeGreaterThan(2);
    // every epoch but the active one is retired (its key erased) once nothing needs it
    expect(epochs.filter((e) => e.state === 'grace').length).toBeLessThanOrEqual(1);
  }, 60_000);
});
