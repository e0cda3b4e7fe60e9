import type { Command } from 'commander';
import type { EncryptionStatus } from '../../knowledge/nodes/encryption-migration.js';
import type { GlobalOptions } from '../load.js';
import { printResult } from '../output.js';

const session = () => import('../session.js');
const migration = () => import('../../knowledge/nodes/encryption-migration.js');

interface PassOpts {
  passphraseStdin?: boolean;
  passphraseFile?: string;
}

const statusText = (s: EncryptionStatus) =>
  [
    `encryption at rest: ${s.target === 'sealed' ? 'enabled' : 'disabled'} ([encryption] enabled)`,
    `nodes: ${s.sealed_nodes} encrypted, ${s.plaintext_nodes} plaintext · versions: ${s.sealed_versions} encrypted, ${s.plaintext_versions} plaintext`,
    s.remaining || s.index_policy_pending
      ? `to do: ${s.remaining} rows${s.index_policy_pending ? ' and a full-text rebuild (index_plaintext changed)' : ''}: run \`hx encryption migrate\` (or unseal a running server)`
      : 'every row is in the configured form',
    `search: ${s.search_scope}`,
  ].join('\n');

export function register(program: Command, globals: () => GlobalOptions) {
  const enc = program
    .command('encryption')
    .description('encryption at rest of node titles, content and metadata ([encryption] in config)');

  enc
    .command('status')
    .description('how many rows are encrypted, and what search can see')
    .action(async () => {
      const [{ withLocal }, { encryptionStatus }] = await Promise.all([session(), migration()]);
      const status = await withLocal(globals(), (app) => encryptionStatus(app.ctx));
      printResult(globals(), status, () => statusText(status));
    });

  enc
    .command('migrate')
    .description(
      'bring every row to what [encryption] enabled asks for (seal or open them), in batches; safe to interrupt and run again',
    )
    .option('--batch <n>', 'rows per transaction', Number, 500)
    .option('--passphrase-stdin', 'read the vault passphrase from stdin')
    .option(
      '--passphrase-file <file>',
      'read the vault passphrase from a file (less safe; so is HELIX_KEYCHAIN_PASSPHRASE)',
    )
    .action(async (o: PassOpts & { batch: number }) => {
      const [{ withLocal }, { encryptionStatus, migrateEncryption }, { unlockLocal }, { progressBar }] =
        await Promise.all([
          session(),
          migration(),
          import('../../vault/cli/unlock.js'),
          import('../progress.js'),
        ]);
      const json = globals().json ?? false;
      const result = await withLocal(globals(), async (app) => {
        const before = encryptionStatus(app.ctx);
        if (before.target === 'sealed' || before.sealed_nodes > 0 || before.sealed_versions > 0)
          await unlockLocal(app, o);
        const bar = progressBar(
          before.target === 'sealed' ? 'encrypting' : 'decrypting',
          before.remaining,
          !json,
        );
        try {
          const run = await migrateEncryption(app.ctx, {
            batchSize: o.batch,
            onProgress: (p) => bar.update(p.done, p.total),
          });
          return { ...run, status: encryptionStatus(app.ctx) };
        } finally {
          bar.stop();
        }
      });
      printResult(globals(), result, () =>
        [
          `${result.target === 'sealed' ? 'encrypted' : 'decrypted'} ${result.done} nodes${result.index_rebuilt ? '; full-text index rebuilt' : ''}`,
          statusText(result.status),
        ].join('\n'),
      );
    });
}
