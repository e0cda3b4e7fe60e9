import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

/** `hx worker start`: the AI layer alone, talking to a core at --core-url (or [worker] core_url). */
export function register(program: Command, globals: () => GlobalOptions) {
  const worker = program.command('worker').description('the AI layer (LLM router, budget) on its own');
  worker
    .command('start')
    .description('run the AI layer in the foreground; Ctrl-C stops')
    .option('--port <n>', 'port (default [worker] port, 8200; 0 picks a free one)', Number)
    .option('--host <addr>', 'bind address (default [worker] host)')
    .option('--core-url <url>', 'the core it reaches (default [worker] core_url or HELIX_CORE_URL)')
    .action(async (o: { port?: number; host?: string; coreUrl?: string }) => {
      const [{ loadFor }, { startWorkerServer }, { assertSafeForEnv }, { helixVersion }] = await Promise.all([
        import('../load.js'),
        import('../../worker/run-worker.js'),
        import('../../core/config/load.js'),
        import('../../core/version.js'),
      ]);
      const g = globals();
      const loaded = loadFor(g, {
        ...(o.port !== undefined ? { 'worker.port': o.port } : {}),
        ...(o.host ? { 'worker.host': o.host } : {}),
        ...(o.coreUrl ? { 'worker.core_url': o.coreUrl } : {}),
      });
      assertSafeForEnv(loaded);
      const running = await startWorkerServer(loaded, { consoleLogs: true });
      const stop = () => {
        running.close().then(
          () => process.exit(0),
          () => process.exit(1),
        );
      };
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      const cfg = loaded.config;
      const record = {
        url: running.url,
        port: running.port,
        core_url: cfg.worker.core_url,
        pid: process.pid,
      };
      const providers = running.worker.ai.router.catalog.providers.map((p) => p.spec.id);
      process.stdout.write(
        g.json
          ? `${JSON.stringify(record)}\n`
          : `Helix AI layer ${helixVersion} listening on ${running.url} · core ${cfg.worker.core_url} · providers: ${
              providers.length ? providers.join(', ') : 'none configured (set e.g. OPENAI_API_KEY)'
            }\n`,
      );
    });
}
