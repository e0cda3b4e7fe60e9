import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('mcp')
    .description('serve MCP over stdio for Claude Desktop, Cursor, Claude Code and other agents')
    .option('--access-key <key>', 'access key (hx_ak_…): its template limits what the agent sees and does')
    .action(async (o: { accessKey?: string }) => {
      const { openLocal } = await import('../session.js');
      const { serveStdio, stdioPrincipal } = await import('../../mcp/stdio.js');
      const app = openLocal(globals());
      try {
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
