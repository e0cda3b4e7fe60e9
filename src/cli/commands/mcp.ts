import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('mcp')
    .description('serve MCP over stdio for Claude Desktop, Cursor, Claude Code and other agents')
    .option('--access-key <key>', 'access key (hx_ak_…): its template limits what the agent sees and does')
    .option(
      '--passphrase-file <file>',
      'vault passphrase for notes encrypted at rest (or HELIX_KEYCHAIN_PASSPHRASE); stdin carries the protocol',
    )
    .action(async (o: { accessKey?: string; passphraseFile?: string }) => {
      const { openLocal } = await import('../session.js');
      const { serveStdio, stdioPrincipal } = await import('../../mcp/stdio.js');
      const app = openLocal(globals());
      try {
        await unlockWithoutPrompt(app, o.passphraseFile);
        const principal = await stdioPrincipal(app, {
          accessKey: o.accessKey ?? process.env.HELIX_ACCESS_KEY,
          token: globals().token ?? process.env.HELIX_AUTH_TOKEN,
        });
        await serveStdio(app, principal);
      } finally {
        // the session is over and the database closed first; a log stream that never opened
        // (a session of milliseconds) must not turn a clean exit into an error
        await app.shutdown().catch(() => {});
      }
      // stdin is closed: nothing more can arrive, so do not wait for timers of background work
      process.exit(process.exitCode ?? 0);
    });
}

/**
 * Notes encrypted at rest need the vault key. Over stdio there is no terminal to ask on (stdin is
 * the protocol), so only a file or HELIX_KEYCHAIN_PASSPHRASE can give it; without one the server
 * still starts, says why on stderr, and its tools answer `vault_sealed` for encrypted notes.
 */
async function unlockWithoutPrompt(app: import('../../api/create-app.js').App, passphraseFile?: string) {
  const { nodesNeedKey, unlockLocal } = await import('../../vault/cli/unlock.js');
  const { ENV_PASSPHRASE } = await import('../../vault/cli/input.js');
  if (!nodesNeedKey(app)) return;
  if (!passphraseFile && !process.env[ENV_PASSPHRASE]) {
    process.stderr.write(
      `helix mcp: notes are encrypted at rest and no passphrase was given (--passphrase-file or ${ENV_PASSPHRASE}): encrypted notes answer vault_sealed\n`,
    );
    return;
  }
  await unlockLocal(app, passphraseFile ? { passphraseFile } : {});
}
