/**
 * Vault costs, in one run: unseal time with the default (OWASP minimum) Argon2id parameters and
 * with the configured ones; credential write and read through the keychain (DEK + domain key +
 * AES-256-GCM + SQLite) against the same rows written and read as plaintext SQLite (the baseline);
 * and key rotation time per re-wrapped data key.
 *
 *   N=2000 UNSEALS=10 node --import tsx bench/vault.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { createCredential, readCredential } from '../src/vault/credentials/service.js';
import { auditVault, cliActor } from '../src/vault/keychain-audit.js';
import { fmt, fmtInt, markdownTable, printHeader, setting, summarize } from './support/report.js';

const N = setting('N', 2000);
const UNSEALS = setting('UNSEALS', 10);
const PASS = 'bench vault passphrase';

const home = mkdtempSync(join(tmpdir(), 'helix-bench-vault-'));
const app = createApp(loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash' } }));
const actor = cliActor();

try {
  printHeader('Vault: unseal, credentials, rotation', 'vault.ts', { N, UNSEALS });
  await app.vault.init({ passphrase: PASS }, actor);
  const unseal: number[] = [];
  for (let i = 0; i < UNSEALS; i++) {
    app.vault.seal();
    const t = performance.now();
    await app.vault.unseal(PASS, actor);
    unseal.push(performance.now() - t);
  }
  const u = summarize(unseal);

  const values = Array.from({ length: N }, (_, i) => `value-${i}-${'x'.repeat(40)}`);
  let t = performance.now();
  const ids = values.map(
    (value, i) =>
      createCredential(app.ctx, app.vault, actor, {
        name: `c${i}`,
        kind: 'password',
        value,
        tags: [],
        metadata: {},
      }).id,
  );
  const vaultWrite = performance.now() - t;
  t = performance.now();
  for (const id of ids) readCredential(app.ctx, app.vault, actor, id);
  const vaultRead = performance.now() - t;

  // baseline: the same values as plaintext rows, one transaction each (as the keychain does)
  const db = app.ctx.db;
  db.exec('CREATE TABLE bench_plain (id TEXT PRIMARY KEY, name TEXT, value TEXT)');
  const ins = db.prepare('INSERT INTO bench_plain VALUES (?, ?, ?)');
  const sel = db.prepare('SELECT value FROM bench_plain WHERE id = ?');
  t = performance.now();
  for (const [i, v] of values.entries()) db.transaction(() => ins.run(`p${i}`, `c${i}`, v))();
  const plainWrite = performance.now() - t;
  t = performance.now();
  for (let i = 0; i < N; i++) sel.get(`p${i}`);
  const plainRead = performance.now() - t;
  // the fair baseline: the keychain writes one audit row per credential read
  t = performance.now();
  for (let i = 0; i < N; i++) {
    sel.get(`p${i}`);
    auditVault(app.ctx, actor, 'bench.read', 'success', `p${i}`);
  }
  const plainAuditedRead = performance.now() - t;

  t = performance.now();
  const rot = await app.vault.rotate({}, actor);
  const rotate = performance.now() - t;

  const perSec = (ms: number) => fmtInt((N / ms) * 1000);
  console.log(
    markdownTable(
      ['measure', 'value'],
      [
        [
          'unseal, Argon2id m=19456 KiB t=2 p=1 (median of runs)',
          `${fmt(u.p50)} ms (min ${fmt(u.min)}, max ${fmt(u.max)} ms)`,
        ],
        ['credential write, keychain (audited, DEK + wrap + 2× GCM)', `${perSec(vaultWrite)} /s`],
        ['credential write, plaintext SQLite baseline', `${perSec(plainWrite)} /s`],
        ['credential read, keychain (audited, unwrap + 2× GCM)', `${perSec(vaultRead)} /s`],
        ['credential read, plaintext SQLite baseline', `${perSec(plainRead)} /s`],
        ['credential read, plaintext SQLite + one audit row each', `${perSec(plainAuditedRead)} /s`],
        [`rotate: re-wrap ${rot.rewrapped} data keys in one transaction`, `${fmt(rotate)} ms`],
      ],
    ),
  );
} finally {
  app.close();
  rmSync(home, { recursive: true, force: true });
}
