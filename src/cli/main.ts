import { Command, Option } from 'commander';
import { ConfigError } from '../core/config/load.js';
import { HelixError } from '../core/errors.js';
import { helixVersion } from '../core/version.js';
import { redact, registerEnvSecrets } from '../security/redact.js';
import type { GlobalOptions } from './load.js';

/** Lazy: a command's module (and what it imports) loads only when that command runs. */
type Loader = () => Promise<{ register(program: Command, globals: () => GlobalOptions): void }>;

const commandModules: Loader[] = [
  () => import('./commands/nodes.js'),
  () => import('./commands/search.js'),
  () => import('./commands/transfer.js'),
  () => import('./commands/config.js'),
  () => import('./commands/server.js'),
  () => import('./commands/setup.js'),
  () => import('./commands/db.js'),
  () => import('./commands/backup.js'),
  () => import('./commands/models.js'),
  () => import('./commands/recall.js'),
  () => import('./commands/graph.js'),
  () => import('./commands/keychain.js'),
  () => import('./commands/secret.js'),
  () => import('./commands/crypt.js'),
  () => import('./commands/encryption.js'),
  () => import('./commands/worker.js'),
  () => import('./commands/chat.js'),
  () => import('./commands/mcp.js'),
  () => import('./commands/proposals.js'),
];

export function reportError(err: unknown, json: boolean): number {
  // messages can quote a server's answer or a header: the sanitizer masks known secrets and key shapes
  registerEnvSecrets();
  const write = (text: string) => process.stderr.write(redact(text));
  if (err instanceof HelixError) {
    if (json)
      write(
        `${JSON.stringify({ error: { code: err.code, message: err.message, details: err.details ?? null } })}\n`,
      );
    else write(`error: ${err.message}\n`);
    return 1;
  }
  if (err instanceof ConfigError || (err instanceof Error && err.name === 'MigrationError')) {
    write(`${err.message}\n`);
    return 1;
  }
  write(`error: ${err instanceof Error ? err.message : String(err)}\n`);
  if (process.env.HELIX_DEBUG && err instanceof Error) write(`${err.stack}\n`);
  return 1;
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('hx')
    .description('Helix: your local-first knowledge base')
    .version(helixVersion, '-V, --version')
    .addOption(new Option('--home <dir>', 'data home (default $HELIX_HOME or ~/.helix)'))
    .addOption(new Option('--json', 'print JSON'))
    .addOption(
      new Option('--server <url>', 'use a running server instead of the local data home').env(
        'HELIX_SERVER_URL',
      ),
    )
    .addOption(new Option('--token <token>', 'bearer token for --server').env('HELIX_AUTH_TOKEN'))
    .showHelpAfterError();
  const globals = () => program.opts<GlobalOptions>();
  for (const load of commandModules) (await load()).register(program, globals);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err, globals().json ?? false);
  }
}
