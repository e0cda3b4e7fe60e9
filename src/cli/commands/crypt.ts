import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';
import { humanBytes, printResult } from '../output.js';

interface Opts {
  in: string;
  out: string;
  force?: boolean;
  withPassphrase?: boolean;
  passphraseStdin?: boolean;
  passphraseFile?: string;
}

const common = (cmd: Command) =>
  cmd
    .requiredOption('--in <file>', 'input file')
    .requiredOption('--out <file>', 'output file (written atomically, mode 0600)')
    .option('--force', 'replace --out if it exists')
    .option('--passphrase-stdin', 'read the passphrase from stdin')
    .option(
      '--passphrase-file <file>',
      'read the passphrase from a file (less safe; so is HELIX_KEYCHAIN_PASSPHRASE)',
    );

export function register(program: Command, globals: () => GlobalOptions) {
  common(
    program
      .command('encrypt')
      .description('encrypt a file into a Helix envelope (HXE1) with the vault key, or --with-passphrase')
      .option('--with-passphrase', 'derive the key from a passphrase (Argon2id) instead of the vault'),
  ).action(async (o: Opts) => {
    const [{ withLocal }, { encryptFile }, { getPassphrase }, { unlockLocal }] = await Promise.all([
      import('../session.js'),
      import('../../vault/file-crypt.js'),
      import('../../vault/cli/input.js'),
      import('../../vault/cli/unlock.js'),
    ]);
    const result = o.withPassphrase
      ? await encryptFile(
          o.in,
          o.out,
          { passphrase: await getPassphrase(o, 'file passphrase', true) },
          o.force,
        )
      : await withLocal(globals(), async (app) => {
          await unlockLocal(app, o);
          return encryptFile(o.in, o.out, { vault: app.vault }, o.force);
        });
    printResult(globals(), result, () => `encrypted ${humanBytes(result.bytes)} → ${result.out}`);
  });

  common(
    program.command('decrypt').description('decrypt a Helix envelope (asks for what its header needs)'),
  ).action(async (o: Opts) => {
    const [{ withLocal }, { decryptFile }, { getPassphrase }, { unlockLocal }] = await Promise.all([
      import('../session.js'),
      import('../../vault/file-crypt.js'),
      import('../../vault/cli/input.js'),
      import('../../vault/cli/unlock.js'),
    ]);
    const result = await withLocal(globals(), (app) =>
      decryptFile(
        o.in,
        o.out,
        async (h) => {
          if (h.source === 'passphrase') return { passphrase: await getPassphrase(o, 'file passphrase') };
          await unlockLocal(app, o);
          return { vault: app.vault };
        },
        o.force,
      ),
    );
    printResult(globals(), result, () => `decrypted ${humanBytes(result.bytes)} → ${result.out}`);
  });
}
