import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';
import { printResult } from '../output.js';

export function register(program: Command, globals: () => GlobalOptions) {
  program
    .command('setup')
    .description('create the data home, its config and database (non-interactive with --quick)')
    .option('--quick', 'accept every default without asking')
    .action(async (o: { quick?: boolean }) => {
      const { loadFor } = await import('../load.js');
      const { ensureHome } = await import('../../storage/home.js');
      const loaded = loadFor(globals());
      // on a terminal, without --quick or --json: the interactive wizard
      if (!o.quick && !globals().json && process.stdin.isTTY && process.stdout.isTTY) {
        const { runSetupWizard } = await import('./setup-wizard.js');
        return runSetupWizard(loaded);
      }
      const fresh = ensureHome(loaded.paths);
      const { createApp } = await import('../../api/create-app.js');
      const app = createApp(loaded);
      app.close();
      const p = loaded.paths;
      printResult(
        globals(),
        { home: p.home, created: fresh, config: p.configFile, database: p.sqlitePath },
        () =>
          [
            `${fresh ? 'Created' : 'Found'} the Helix home at ${p.home}`,
            `  config   ${p.configFile}`,
            `  database ${p.sqlitePath}`,
            `  logs     ${p.logDir}`,
            'Next: `hx server start`, then `hx store "my first note"` and `hx search first`.',
          ].join('\n'),
      );
    });
}
