import type { Command } from 'commander';
import type { GlobalOptions } from '../load.js';

const impl = () => import('./server-impl.js');

export function register(program: Command, globals: () => GlobalOptions) {
  const server = program.command('server').description('start, stop and inspect the Helix server');
  server
    .command('start')
    .description('start the server (in the background unless --foreground)')
    .option('--port <n>', 'REST port (default [server] rest_port, 9470; 0 picks a free one)', Number)
    .option('--host <addr>', 'bind address (default [server] bind_host)')
    .option('--foreground', 'stay in the foreground; Ctrl-C stops')
    .option('--no-worker', 'do not start the AI layer beside the core')
    .option('--worker-port <n>', 'AI layer port (default [worker] port, 8200; 0 with --port 0)', Number)
    .action(async (o) => (await impl()).start(globals(), o));
  server
    .command('stop')
    .description('stop the server recorded in the pid file')
    .action(async () => (await impl()).stop(globals()));
  server
    .command('status')
    .description('is the server running, where, and is it healthy')
    .action(async () => (await impl()).status(globals()));
}
