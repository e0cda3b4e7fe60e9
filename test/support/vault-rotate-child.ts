// Child process for the vault crash tests: rotates the key in a loop, optionally killing itself
// with SIGKILL in the middle of a rotation's transaction (after `killAtRow` re-wrapped rows of
// rotation number `killAtRotation`). argv: home killAtRotation killAtRow grace_days
import { createApp } from '../../src/api/create-app.js';
import { loadConfig } from '../../src/core/config/load.js';
import { cliActor } from '../../src/vault/keychain-audit.js';

const [home, killAtRotation, killAtRow, grace] = process.argv.slice(2);
const app = createApp(
  loadConfig({
    home: home!,
    env: {},
    cwd: home!,
    flags: { 'embedding.provider': 'hash', 'vault.grace_period_days': Number(grace ?? 30) },
  }),
);
await app.vault.unseal(process.env.VAULT_PASS!, cliActor());
for (let rotation = 1; ; rotation++) {
  let rows = 0;
  await app.vault.rotate({}, cliActor(), {
    onRow: () => {
      rows++;
      if (rotation === Number(killAtRotation) && rows === Number(killAtRow))
        process.kill(process.pid, 'SIGKILL');
    },
  });
  process.stdout.write(`rotated ${rotation}\n`);
}
