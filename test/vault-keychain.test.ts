import { afterEach, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/api/create-app.js';
import { ManualClock } from '../src/core/clock.js';
import { loadConfig } from '../src/core/config/load.js';
import { HelixError } from '../src/core/errors.js';
import { decryptEnvelope, encryptEnvelope } from '../src/vault/envelope.js';
import { cliActor } from '../src/vault/keychain-audit.js';
import { removeDir, tempDir } from './support/temp.js';

/** The keychain state machine on a manual clock: back-off growth, grace periods, retirement. */
const PASS = 'keychain unit passphrase';
const DAY = 86_400_000;
let app: App | undefined;
let home: string | undefined;
afterEach(() => {
  app?.close();
  removeDir(home);
});

function open(clock: ManualClock, flags: Record<string, unknown> = {}) {
  home = tempDir();
  app = createApp(
    loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash', ...flags } }),
    { clock },
  );
  return app;
}

async function error(p: Promise<unknown>): Promise<HelixError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof HelixError) return err;
    throw err;
  }
  throw new Error('expected an error');
}

describe('keychain', () => {
  it('back-off doubles after the free attempts, caps at the maximum, survives a reopen', async () => {
    const clock = new ManualClock();
    const a = open(clock, { 'vault.unseal_free_attempts': 2, 'vault.unseal_backoff_max_secs': 8 });
    await a.vault.init({ passphrase: PASS }, cliActor());
    a.vault.seal();
    const waits: number[] = [];
    for (let i = 0; i < 7; i++) {
      const retry = a.vault.status().retry_after_secs;
      waits.push(retry);
      clock.advance(retry * 1000);
      expect((await error(a.vault.unseal('wrong wrong wrong', cliActor()))).code).toBe('forbidden');
    }
    expect(waits).toEqual([0, 0, 1, 2, 4, 8, 8]);
    expect((await error(a.vault.unseal(PASS, cliActor()))).code).toBe('rate_limited');
    // the counter is in the database: a new process sees the same wait
    const again = createApp(a.loaded, { clock });
    expect(again.vault.status()).toMatchObject({ failed_attempts: 7, retry_after_secs: 8 });
    again.close();
    clock.advance(8000);
    await a.vault.unseal(PASS, cliActor());
    expect(a.vault.status()).toMatchObject({ state: 'unsealed', failed_attempts: 0, retry_after_secs: 0 });
  });

  it('an old epoch opens files during its grace period and is retired after it', async () => {
    const clock = new ManualClock();
    const a = open(clock, { 'vault.grace_period_days': 7 });
    await a.vault.init({ passphrase: PASS }, cliActor());
    const e1 = a.vault.activeEpoch();
    const env = await encryptEnvelope(Buffer.from('old file'), { epoch: e1.epoch, epochKey: e1.key });
    const r = await a.vault.rotate({}, cliActor());
    expect(r).toMatchObject({ epoch: 2, retired: [] });
    const open1 = (h: { epoch: number }) => ({ epoch: h.epoch, epochKey: a.vault.epochKey(h.epoch) });
    const resolve = (h: Parameters<Parameters<typeof decryptEnvelope>[1]>[0]) =>
      h.source === 'vault' ? open1(h) : { passphrase: '' };
    expect((await decryptEnvelope(env, resolve)).toString()).toBe('old file');
    clock.advance(8 * DAY);
    a.vault.seal();
    await a.vault.unseal(PASS, cliActor());
    expect(a.vault.epochs().map((e) => [e.epoch, e.state])).toEqual([
      [1, 'retired'],
      [2, 'active'],
    ]);
    const row = a.ctx.db.prepare('SELECT wrapped_key FROM vault_epochs WHERE epoch = 1').get() as {
      wrapped_key: unknown;
    };
    expect(row.wrapped_key).toBeNull();
    const err = await error(decryptEnvelope(env, resolve));
    expect(err.code).toBe('decryption_failed');
    expect(err.message).toContain('retired');
  });

  it('a sealed or uninitialized vault answers vault_sealed with how to unseal; seal wipes the key', async () => {
    const a = open(new ManualClock());
    expect(() => a.vault.activeEpoch()).toThrow(/not initialized/);
    await a.vault.init({ passphrase: PASS }, cliActor());
    const key = a.vault.activeEpoch().key;
    expect(key.some((b) => b !== 0)).toBe(true);
    a.vault.seal();
    expect(key.every((b) => b === 0)).toBe(true);
    let err: unknown;
    try {
      a.vault.activeEpoch();
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'vault_sealed', status: 503 });
    expect((err as HelixError).details?.how_to_unseal).toBeInstanceOf(Array);
  });

  it('fewer shares than the threshold never unseal, whatever their order', async () => {
    const a = open(new ManualClock());
    const { shares } = await a.vault.init({ passphrase: PASS, shares: 5, threshold: 4 }, cliActor());
    a.vault.seal();
    for (const s of shares!.slice(0, 3)) {
      const p = await a.vault.submitShare(s, cliActor());
      expect(p.unsealed).toBe(false);
    }
    expect(a.vault.state()).toBe('sealed');
    expect((await a.vault.submitShare(shares![4]!, cliActor())).unsealed).toBe(true);
  });
});
