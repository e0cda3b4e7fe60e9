import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';
import { printResult, table } from '../output.js';

const session = () => import('../session.js');

interface PassOpts {
  passphraseStdin?: boolean;
  passphraseFile?: string;
}

type View = {
  key: string;
  backend: string;
  metadata: Record<string, unknown>;
  version: number | null;
  updated_at: string | null;
};

const passOptions = (cmd: Command) =>
  cmd
    .option('--passphrase-stdin', 'read the vault passphrase from stdin')
    .option(
      '--passphrase-file <file>',
      'read the vault passphrase from a file (less safe; so is HELIX_KEYCHAIN_PASSPHRASE)',
    );

export function register(program: Command, globals: () => GlobalOptions) {
  const sec = program
    .command('secret')
    .description(
      'named secrets: OS keyring when there is one, else the encrypted vault; HELIX_SECRET_<NAME> read-only',
    );
  const server = () => globals().server ?? process.env.HELIX_SERVER_URL;
  const call = async <T>(method: string, path: string, body?: unknown) =>
    (await import('../../vault/cli/remote.js')).callServer<T>(
      server()!,
      globals().token ?? process.env.HELIX_AUTH_TOKEN,
      method,
      path,
      body,
    );

  /** Opens the local home with a Secrets service that tells the user once about a keyring fallback. */
  const local = async <T>(
    o: PassOpts,
    fn: (
      s: import('../../vault/secrets/service.js').Secrets,
      actor: import('../../vault/keychain-audit.js').VaultActor,
    ) => T | Promise<T>,
  ) => {
    const [{ withLocal }, { Secrets }, { cliActor }, { withVault }] = await Promise.all([
      session(),
      import('../../vault/secrets/service.js'),
      import('../../vault/keychain-audit.js'),
      import('../../vault/cli/unlock.js'),
    ]);
    return withLocal(globals(), (app) => {
      const secrets = new Secrets(app.ctx, app.vault, {
        notice: (m) => process.stderr.write(`note: ${m}\n`),
      });
      return withVault(app, o, () => fn(secrets, cliActor()));
    });
  };

  passOptions(
    sec
      .command('set')
      .description('store a secret; the value is asked for (hidden) or read from stdin')
      .argument('<name>', 'secret name')
      .option('--value <value>', 'the value on the command line (visible in shell history and ps: avoid)')
      .option('--metadata <json>', 'JSON object of non-secret facts about it'),
  ).action(async (name: string, o: PassOpts & { value?: string; metadata?: string }) => {
    const { promptHidden, readStdin } = await import('../../vault/cli/input.js');
    let value = o.value;
    if (value !== undefined)
      process.stderr.write('warning: --value puts the secret in shell history and the process list\n');
    else if (process.stdin.isTTY) value = await promptHidden(`value for ${name}`);
    else {
      if (o.passphraseStdin)
        throw new Error(
          'stdin carries the value: give the passphrase with --passphrase-file or HELIX_KEYCHAIN_PASSPHRASE',
        );
      value = await readStdin();
    }
    let metadata: Record<string, unknown> = {};
    if (o.metadata) {
      try {
        metadata = JSON.parse(o.metadata) as Record<string, unknown>;
      } catch {
        throw new Error('--metadata: not JSON');
      }
    }
    const view = server()
      ? await call<View>('POST', '/api/v1/secrets', { key: name, value, metadata })
      : await local(o, (s, actor) => s.set(actor, name, value!, metadata));
    printResult(
      globals(),
      view,
      () =>
        `stored ${view.key} in ${view.backend === 'vault' ? 'the encrypted vault' : `the ${view.backend}`} (version ${view.version})`,
    );
  });

  passOptions(
    sec.command('get').description('print a secret value').argument('<name>', 'secret name'),
  ).action(async (name: string, o: PassOpts) => {
    const got = server()
      ? await call<{ key: string; value: string; backend: string }>(
          'GET',
          `/api/v1/secrets/${encodeURIComponent(name)}`,
        )
      : await local(o, (s, actor) => s.get(actor, name));
    printResult(globals(), got, () => got.value);
  });

  sec
    .command('list')
    .description('secret names and metadata (never values)')
    .action(async () => {
      const items = server()
        ? (await call<{ items: View[] }>('GET', '/api/v1/secrets')).items
        : await local({}, (s) => s.list() as View[]);
      printResult(globals(), { items }, () =>
        items.length
          ? table([
              ['name', 'backend', 'version', 'updated'],
              ...items.map((i) => [i.key, i.backend, String(i.version ?? ''), i.updated_at ?? '']),
            ])
          : 'no secrets',
      );
    });

  sec
    .command('delete')
    .description('delete a secret')
    .argument('<name>', 'secret name')
    .action(async (name: string) => {
      if (server()) await call('DELETE', `/api/v1/secrets/${encodeURIComponent(name)}`);
      else await local({}, (s, actor) => s.delete(actor, name));
      printResult(globals(), { deleted: name }, () => `deleted ${name}`);
    });

  sec
    .command('status')
    .description('secret backends in order, which one stores new secrets, and the vault state')
    .action(async () => {
      type St = {
        backends: { name: string; available: boolean; writable: boolean; reason: string | null }[];
        write_backend: string | null;
        vault: string;
      };
      const st = server()
        ? await call<St>('GET', '/api/v1/secrets/status')
        : await local({}, (s) => s.status() as St);
      printResult(globals(), st, () =>
        [
          ...st.backends.map(
            (b) =>
              `${b.name}: ${b.available ? 'available' : 'unavailable'}${b.reason ? ` (${b.reason})` : ''}`,
          ),
          `new secrets go to: ${st.write_backend ?? 'nowhere (no writable backend)'}`,
        ].join('\n'),
      );
    });
}
