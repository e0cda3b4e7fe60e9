/**
 * Encryption at rest (issue 5): node write and read throughput with `[encryption] enabled` against
 * the same work on a plaintext home, in one run. The two homes take turns, round by round, so load
 * on a shared machine falls on both; the ratio is the figure (target: encrypted ≤ 1.3× slower).
 * Also: the migration of an existing plaintext vault (rows per second) and unseal time.
 *
 *   N=2000 ROUNDS=5 node --import tsx bench/at-rest.ts
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type App, createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { validate } from '../src/core/validate.js';
import { migrateEncryption } from '../src/knowledge/nodes/encryption-migration.js';
import { CreateNodeBody } from '../src/knowledge/nodes/schema.js';
import { createNode, getNode, updateNode } from '../src/knowledge/nodes/service.js';
import { searchFulltext } from '../src/search/fulltext/service.js';
import { cliActor } from '../src/vault/keychain-audit.js';
import { fmt, fmtInt, markdownTable, printHeader, setting, summarize } from './support/report.js';

const N = setting('N', 2000);
const ROUNDS = setting('ROUNDS', 5);
const PASS = 'bench at-rest passphrase';
const words = 'river stone lantern harbour quartz meadow falcon ember willow cobalt orchard'.split(' ');
const text = (i: number) =>
  Array.from({ length: 60 }, (_, k) => words[(i * 7 + k * 3) % words.length]).join(' ') + ` note${i}`;

const homes: string[] = [];
async function openHome(encrypted: boolean): Promise<App> {
  const home = mkdtempSync(join(tmpdir(), 'helix-bench-at-rest-'));
  homes.push(home);
  const app = createApp(
    loadConfig({
      home,
      env: {},
      cwd: home,
      flags: {
        'embedding.provider': 'hash',
        'encryption.enabled': encrypted,
        'linking.auto_backlinks_enabled': true,
      },
    }),
  );
  await app.vault.init({ passphrase: PASS }, cliActor());
  return app;
}

const timed = (fn: () => void) => {
  const t = performance.now();
  fn();
  return performance.now() - t;
};

const plain = await openHome(false);
const sealed = await openHome(true);
try {
  printHeader('Encryption at rest: node throughput, encrypted vs plaintext', 'at-rest.ts', { N, ROUNDS });
  const ids = new Map<App, string[]>([
    [plain, []],
    [sealed, []],
  ]);
  const ms = {
    write: new Map<App, number[]>(),
    update: new Map<App, number[]>(),
    read: new Map<App, number[]>(),
    search: new Map<App, number[]>(),
  };
  for (const m of Object.values(ms)) for (const a of [plain, sealed]) m.set(a, []);
  for (let r = 0; r < ROUNDS; r++) {
    for (const app of r % 2 ? [sealed, plain] : [plain, sealed]) {
      const mine = ids.get(app)!;
      const base = r * N;
      ms.write.get(app)!.push(
        timed(() => {
          for (let i = 0; i < N; i++)
            mine.push(
              createNode(
                app.ctx,
                validate(CreateNodeBody, {
                  title: `Note ${base + i}`,
                  content: text(base + i),
                  metadata: { n: i },
                }),
              ).id,
            );
        }),
      );
      const batch = mine.slice(-N);
      ms.update.get(app)!.push(
        timed(() => {
          for (const id of batch) updateNode(app.ctx, id, { content: `${text(0)} edited` });
        }),
      );
      ms.read.get(app)!.push(
        timed(() => {
          for (const id of batch) getNode(app.ctx, id);
        }),
      );
      ms.search.get(app)!.push(
        timed(() => {
          for (let q = 0; q < 200; q++)
            searchFulltext(app.ctx, { q: `${words[q % words.length]} note${base + q}` });
        }),
      );
    }
  }
  const rows: string[][] = [];
  const per = (op: keyof typeof ms, app: App, count: number) => {
    const s = summarize(ms[op].get(app)!.map((t) => (count / t) * 1000));
    return s.p50;
  };
  for (const [op, count, label] of [
    ['write', N, 'create node'],
    ['update', N, 'update node (new version)'],
    ['read', N, 'get node by id'],
    ['search', 200, 'full-text search, 10 hits with snippets'],
  ] as const) {
    const p = per(op, plain, count);
    const s = per(op, sealed, count);
    rows.push([label, `${fmtInt(p)} /s`, `${fmtInt(s)} /s`, `${fmt(p / s)}×`]);
  }
  console.log(
    markdownTable(['operation (median of rounds)', 'plaintext', 'encrypted', 'encrypted is slower by'], rows),
  );

  // migrating the plaintext home (same rows) to encrypted, and unsealing
  plain.close();
  const migrating = createApp(
    loadConfig({
      home: homes[0]!,
      env: {},
      cwd: homes[0]!,
      flags: { 'embedding.provider': 'hash', 'encryption.enabled': true },
    }),
  );
  const u: number[] = [];
  for (let i = 0; i < 3; i++) {
    migrating.vault.seal();
    const t = performance.now();
    await migrating.vault.unseal(PASS, cliActor());
    u.push(performance.now() - t);
  }
  const t = performance.now();
  const run = await migrateEncryption(migrating.ctx, { batchSize: 500 });
  const migrateMs = performance.now() - t;
  migrating.close();
  console.log();
  console.log(
    markdownTable(
      ['measure', 'value'],
      [
        [
          `migrate ${fmtInt(run.total)} plaintext nodes (+ their versions) to encrypted, 500 per transaction`,
          `${fmt(migrateMs)} ms (${fmtInt((run.total / migrateMs) * 1000)} nodes/s)`,
        ],
        ['unseal, default Argon2id (m=19456 KiB t=2 p=1), median of 3', `${fmt(summarize(u).p50)} ms`],
      ],
    ),
  );
} finally {
  sealed.close();
  for (const h of homes) rmSync(h, { recursive: true, force: true });
}
