import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';
import { printResult, table } from '../output.js';

const session = () => import('../session.js');
const input = () => import('../../vault/cli/input.js');
const remote = () => import('../../vault/cli/remote.js');

interface PassOpts {
  passphraseStdin?: boolean;
  passphraseFile?: string;
}

type Status = {
  state: string;
  active_epoch: number | null;
  kdf: { memory_kib: number; iterations: number; parallelism: number } | null;
  shamir: { enabled: boolean; threshold: number | null; shares: number | null; submitted: number };
  failed_attempts: number;
  retry_after_secs: number;
};

const statusText = (s: Status) =>
  [
    `vault: ${s.state}${s.active_epoch ? ` (key epoch ${s.active_epoch})` : ''}`,
    s.kdf ? `kdf: argon2id m=${s.kdf.memory_kib} KiB t=${s.kdf.iterations} p=${s.kdf.parallelism}` : null,
    s.shamir.enabled
      ? `shamir: ${s.shamir.threshold} of ${s.shamir.shares} (${s.shamir.submitted} submitted)`
      : null,
    s.failed_attempts
      ? `failed unseal attempts: ${s.failed_attempts}${s.retry_after_secs ? `, retry in ${s.retry_after_secs}s` : ''}`
      : null,
  ]
    .filter(Boolean)
    .join('\n');

const passOptions = (cmd: Command) =>
  cmd
    .option('--passphrase-stdin', 'read the passphrase from stdin')
    .option(
      '--passphrase-file <file>',
      'read the passphrase from a file (less safe; so is HELIX_KEYCHAIN_PASSPHRASE)',
    );

export function register(program: Command, globals: () => GlobalOptions) {
  const kc = program.command('keychain').description('the vault: init, unseal, seal, rotate, Shamir shares');
  const server = () => globals().server ?? process.env.HELIX_SERVER_URL;
  const token = () => globals().token ?? process.env.HELIX_AUTH_TOKEN;
  const call = async <T>(method: string, path: string, body?: unknown) =>
    (await remote()).callServer<T>(server()!, token(), method, path, body);

  passOptions(
    kc
      .command('init')
      .description('create the vault (passphrase asked twice); --shares/--threshold also split its key')
      .option('--shares <n>', 'split the key into N Shamir shares', Number)
      .option('--threshold <k>', 'shares needed to unseal', Number),
  ).action(async (o: PassOpts & { shares?: number; threshold?: number }) => {
    const { getPassphrase } = await input();
    const passphrase = await getPassphrase(o, 'new vault passphrase', true);
    const body = {
      passphrase,
      ...(o.shares ? { shares: o.shares } : {}),
      ...(o.threshold ? { threshold: o.threshold } : {}),
    };
    let result: { shares: string[] | null; status: Status };
    if (server()) result = await call('POST', '/api/v1/keychain/init', body);
    else {
      const [{ withLocal }, { cliActor }] = await Promise.all([
        session(),
        import('../../vault/keychain-audit.js'),
      ]);
      result = await withLocal(globals(), async (app) => {
        const r = await app.vault.init(body, cliActor());
        return { shares: r.shares, status: app.vault.status() as Status };
      });
    }
    const shares = result.shares;
    if (globals().json) {
      process.stdout.write(`${JSON.stringify(shares ?? result.status, null, 2)}\n`);
      return;
    }
    const lines = ['vault initialized (Argon2id + AES-256-GCM)'];
    if (shares)
      lines.push(
        `Shamir shares (${o.threshold} of ${o.shares} unseal). They are shown ONCE: give each to a different keeper.`,
        ...shares,
      );
    process.stdout.write(`${lines.join('\n')}\n`);
  });

  kc.command('status')
    .description('vault state, key epoch, KDF parameters, Shamir progress')
    .action(async () => {
      const status = server()
        ? await call<Status>('GET', '/api/v1/keychain/status')
        : await (await session()).withLocal(globals(), (app) => app.vault.status() as Status);
      printResult(globals(), status, () => statusText(status));
    });

  passOptions(
    kc
      .command('unseal')
      .description('with --server: unseal the running server; locally: check the passphrase')
      .option('--shares-stdin', 'read Shamir shares from stdin, one per line'),
  ).action(async (o: PassOpts & { sharesStdin?: boolean }) => {
    const { getPassphrase, readStdin } = await input();
    const shares = o.sharesStdin ? (await readStdin()).split(/\s+/).filter(Boolean) : null;
    if (server()) {
      if (shares) await call('POST', '/api/v1/keychain/shamir/unseal', { shares });
      else
        await call('POST', '/api/v1/keychain/unseal', {
          passphrase: await getPassphrase(o, 'vault passphrase'),
        });
      const now = await call<Status>('GET', '/api/v1/keychain/status');
      printResult(globals(), now, () => statusText(now));
      return;
    }
    const [{ withLocal }, { cliActor }] = await Promise.all([
      session(),
      import('../../vault/keychain-audit.js'),
    ]);
    const status = await withLocal(globals(), async (app) => {
      if (shares) {
        for (const s of shares) if (!(await app.vault.submitShare(s, cliActor())).sealed) break;
      } else await app.vault.unseal(await getPassphrase(o, 'vault passphrase'), cliActor());
      return app.vault.status() as Status;
    });
    printResult(globals(), status, () =>
      status.state === 'unsealed'
        ? 'unseal OK. A CLI process holds the key only while it runs; to unseal a server use --server URL.'
        : statusText(status),
    );
  });

  kc.command('seal')
    .description('seal a running server (--server): its key is wiped from memory')
    .action(async () => {
      if (!server()) {
        printResult(
          globals(),
          { state: 'sealed' },
          () => 'nothing to do: a CLI process never keeps the vault unsealed',
        );
        return;
      }
      const status = await call<Status>('POST', '/api/v1/keychain/seal', {});
      printResult(globals(), status, () => statusText(status));
    });

  passOptions(
    kc
      .command('rotate')
      .description('new key epoch: data keys re-wrapped; --new-passphrase-file also changes the passphrase')
      .option('--new-passphrase-file <file>', 'file holding the new passphrase')
      .option('--new-passphrase', 'ask for a new passphrase (twice)'),
  ).action(async (o: PassOpts & { newPassphraseFile?: string; newPassphrase?: boolean }) => {
    const { getPassphrase } = await input();
    let next: string | undefined;
    if (o.newPassphraseFile)
      next = await getPassphrase({ passphraseFile: o.newPassphraseFile }, 'new passphrase');
    else if (o.newPassphrase) next = await getPassphrase({}, 'new passphrase', true);
    const body = next !== undefined ? { new_passphrase: next } : {};
    type Rotation = { epoch: number; rewrapped: number; retired: number[]; passphrase_changed: boolean };
    let result: Rotation;
    if (server()) result = await call<Rotation>('POST', '/api/v1/keychain/rotate', body);
    else {
      const [{ withLocal }, { cliActor }, { unlockLocal }] = await Promise.all([
        session(),
        import('../../vault/keychain-audit.js'),
        import('../../vault/cli/unlock.js'),
      ]);
      result = await withLocal(globals(), async (app) => {
        await unlockLocal(app, o);
        return app.vault.rotate(body, cliActor());
      });
    }
    printResult(globals(), result, () =>
      [
        `key epoch ${result.epoch} active; ${result.rewrapped} data keys re-wrapped`,
        result.retired.length ? `retired epochs: ${result.retired.join(', ')}` : null,
        result.passphrase_changed ? 'passphrase changed' : null,
      ]
        .filter(Boolean)
        .join('\n'),
    );
  });

  kc.command('epochs')
    .description('key epochs and their state (active, grace, retired)')
    .action(async () => {
      type Epoch = { epoch: number; state: string; created_at: string; grace_until: string | null };
      const items = server()
        ? (await call<{ items: Epoch[] }>('GET', '/api/v1/keychain/epochs')).items
        : await (await session()).withLocal(globals(), (app) => app.vault.epochs() as Epoch[]);
      printResult(globals(), { items }, () =>
        table([
          ['epoch', 'state', 'created', 'grace until'],
          ...items.map((e) => [String(e.epoch), e.state, e.created_at, e.grace_until ?? '']),
        ]),
      );
    });

  passOptions(
    kc
      .command('shares')
      .description('issue a new Shamir share set for the same key (old shares stop working); printed once')
      .requiredOption('--shares <n>', 'number of shares', Number)
      .requiredOption('--threshold <k>', 'shares needed to unseal', Number),
  ).action(async (o: PassOpts & { shares: number; threshold: number }) => {
    const body = { shares: o.shares, threshold: o.threshold };
    let result: { shares: string[]; set_id: string };
    if (server()) result = await call('POST', '/api/v1/keychain/shamir/rotate', body);
    else {
      const [{ withLocal }, { cliActor }, { unlockLocal }] = await Promise.all([
        session(),
        import('../../vault/keychain-audit.js'),
        import('../../vault/cli/unlock.js'),
      ]);
      result = await withLocal(globals(), async (app) => {
        await unlockLocal(app, o);
        return app.vault.shamirRotate(body, cliActor());
      });
    }
    if (globals().json) process.stdout.write(`${JSON.stringify(result.shares, null, 2)}\n`);
    else
      process.stdout.write(
        `new share set ${result.set_id} (${o.threshold} of ${o.shares}), shown ONCE:\n${result.shares.join('\n')}\n`,
      );
  });
}
