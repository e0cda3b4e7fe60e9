// Child process for the encryption-at-rest crash test: runs the row migration toward what the
// flag asks (`enabled` = true|false) and kills itself with SIGKILL after `killAtRow` converted
// rows, inside a batch's transaction. argv: home enabled killAtRow batch
import { createApp } from '../../src/api/create-app.js';
import { loadConfig } from '../../src/core/config/load.js';
import { migrateEncryption } from '../../src/knowledge/nodes/encryption-migration.js';
import { cliActor } from '../../src/vault/keychain-audit.js';

const [home, enabled, killAtRow, batch] = process.argv.slice(2);
const app = createApp(
  loadConfig({
    home: home!,
    env: {},
    cwd: home!,
    flags: { 'embedding.provider': 'hash', 'encryption.enabled': enabled === 'true' },
  }),
);
await app.vault.unseal(process.env.VAULT_PASS!, cliActor());
let rows = 0;
await migrateEncryption(app.ctx, {
  batchSize: Number(batch),
  onRow: () => {
    rows++;
    if (rows === Number(killAtRow)) process.kill(process.pid, 'SIGKILL');
  },
  onProgress: (p) => process.stdout.write(`${p.done}/${p.total}\n`),
});
process.stdout.write('finished\n');
app.close();
