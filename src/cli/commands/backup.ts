import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';
import { humanBytes, printResult } from '../output.js';
import type { Progress } from '../progress.js';

const session = () => import('../session.js');

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('backup')
    .description(
      'copy the data home (database, vectors, blobs, models, config) into a folder; safe while the server runs',
    )
    .option('--out <dir>', 'backup folder (default $HELIX_HOME/backups/helix-backup-<timestamp>)')
    .option('--no-models', 'leave out the model files (they can be fetched again)')
    .option('--encrypt', 'encrypt every file (vault key if the vault exists, else a backup passphrase)')
    .option('--passphrase-stdin', 'with --encrypt: read the passphrase from stdin')
    .option('--passphrase-file <file>', 'with --encrypt: read the passphrase from a file (less safe)')
    .action(
      async (o: {
        out?: string;
        models: boolean;
        encrypt?: boolean;
        passphraseStdin?: boolean;
        passphraseFile?: string;
      }) => {
        const [{ withLocal }, { backupHome }, { progressBar }] = await Promise.all([
          session(),
          import('../../storage/backup.js'),
          import('../progress.js'),
        ]);
        const json = globals().json ?? false;
        // the bar counts KiB: byte counts overflow its "value/total" column
        let bar: Progress | undefined;
        const result = await withLocal(globals(), async (app) => {
          // ask for the passphrase before the copy, not after minutes of it
          const seal = o.encrypt
            ? await (await import('../../vault/cli/backup.js')).backupSealer(app, o)
            : undefined;
          const r = await backupHome(app.ctx.db, app.ctx.paths, o.out, {
            includeModels: o.models,
            onProgress: (p) => {
              const total = Math.ceil(p.total_bytes / 1024);
              bar ??= progressBar('backup (KiB)', total, !json);
              bar.update(Math.ceil(p.done_bytes / 1024), total);
            },
          }).finally(() => bar?.stop());
          if (seal) await seal(r.dir);
          return r;
        });
        const m = result.manifest;
        printResult(globals(), { dir: result.dir, total_bytes: result.total_bytes, manifest: m }, () =>
          [
            `backup written to ${result.dir}`,
            `${m.node_count} nodes · ${m.files.length} files · ${humanBytes(result.total_bytes)} · restore with \`hx restore ${result.dir}\``,
            ...(o.encrypt ? ['encrypted (AES-256-GCM): restoring it asks for the passphrase'] : []),
          ].join('\n'),
        );
      },
    );

  program
    .command('restore')
    .description('put a backup back into the data home (the server must be stopped)')
    .argument('<path>', 'backup folder (the one holding manifest.json)')
    .option('--force', 'replace a data home that already holds data')
    .option('--passphrase-stdin', 'encrypted backup: read the passphrase from stdin')
    .option('--passphrase-file <file>', 'encrypted backup: read the passphrase from a file (less safe)')
    .option(
      '--shares-file <file>',
      'encrypted backup: Shamir shares, one per line, instead of the passphrase',
    )
    .action(
      async (
        path: string,
        o: { force?: boolean; passphraseStdin?: boolean; passphraseFile?: string; sharesFile?: string },
      ) => {
        // paths only: opening the home would create a database and make it look non-empty
        const [{ loadFor }, { restoreHome }] = await Promise.all([
          import('../load.js'),
          import('../../storage/restore.js'),
        ]);
        const { paths } = loadFor(globals());
        const { isEncryptedBackup } = await import('../../vault/backup-crypt.js');
        const result = isEncryptedBackup(path)
          ? await (await import('../../vault/cli/backup.js')).restoreEncrypted(path, paths, o)
          : await restoreHome(path, paths, { force: o.force ?? false });
        printResult(
          globals(),
          result,
          () =>
            `restored ${result.node_count} nodes (${result.files} files, ${humanBytes(result.total_bytes)}) from ${result.from} into ${result.home}${
              result.replaced ? ', replacing what was there' : ''
            }`,
        );
      },
    );
}
