import { spawn } from 'node:child_process';
import { openSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadedConfig } from '../../core/config/load.js';
import { HelixError } from '../../core/errors.js';
import { helixVersion } from '../../core/version.js';
import { isAlive, liveServer } from '../../storage/pid-file.js';
import { type GlobalOptions, loadFor } from '../load.js';
import { printResult } from '../output.js';

interface StartOptions {
  port?: number;
  host?: string;
  foreground?: boolean;
  /** false with --no-worker: the core alone */
  worker?: boolean;
  workerPort?: number;
}

const binPath = fileURLToPath(new URL('../../../bin/hx.js', import.meta.url));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const flagsOf = (o: StartOptions) => ({
  ...(o.port !== undefined ? { 'server.rest_port': o.port } : {}),
  ...(o.host ? { 'server.bind_host': o.host } : {}),
});

const startLine = (loaded: LoadedConfig, url: string) =>
  `Helix ${helixVersion} listening on ${url} (docs ${url}/api/docs) · data in ${loaded.paths.home} · ${
    loaded.config.auth.enabled ? 'auth on' : 'auth off: every caller is the local admin (development only)'
  }`;

export async function start(globals: GlobalOptions, o: StartOptions): Promise<void> {
  const loaded = loadFor(globals, flagsOf(o));
  const existing = liveServer(loaded.paths.pidFile, { removeStale: true });
  if (existing)
    throw new HelixError(
      'conflict',
      `Helix is already running (pid ${existing.pid}) on ${existing.url}: \`hx server stop\` first`,
    );
  if (o.foreground) return startForeground(globals, loaded, o);
  return startBackground(globals, loaded, o);
}

async function startForeground(globals: GlobalOptions, loaded: LoadedConfig, o: StartOptions = {}) {
  const { startCoreServer } = await import('../../api/run-server.js');
  let worker: import('../../worker/run-worker.js').RunningWorker | undefined;
  // handlers first: a signal that arrives while starting, or right after the start record, still
  // shuts down gracefully instead of killing the process with the default action
  let running: Awaited<ReturnType<typeof startCoreServer>> | undefined;
  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping || !running) {
      stopping = true;
      return;
    }
    stopping = true;
    running.app.ctx.logger.info({ signal }, 'shutting down');
    const core = running;
    Promise.all([worker?.close(), core.close()]).then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${(err as Error).message}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  running = await startCoreServer(loaded, { consoleLogs: true });
  // the AI layer beside the core (--no-worker or [worker] enabled = false: the core alone); with
  // --port 0 it also takes a free port, so parallel test servers never fight over 8200
  let workerNote = '';
  let workerRecord: Record<string, unknown> = {};
  if (o.worker !== false && loaded.config.worker.enabled) {
    const { startWorkerBeside } = await import('../../worker/run-worker.js');
    const port = o.workerPort ?? (o.port === 0 ? 0 : undefined);
    const keys = await besideKeys(running.app, loaded);
    const started = await startWorkerBeside(
      loaded,
      { url: running.url, logger: running.app.ctx.logger, resolveKey: keys },
      port,
    );
    worker = started.running;
    // provider keys kept in the vault become readable when the core is unsealed
    const ai = worker?.worker.ai;
    if (ai) running.app.ctx.bus.on('vault.state', () => ai.reloadKeys());
    workerRecord = worker ? { worker_url: worker.url } : { worker_error: started.error };
    workerNote = worker ? ` · AI layer on ${worker.url}` : ` · AI layer not started: ${started.error}`;
  }
  const record = {
    url: running.url,
    port: running.port,
    home: loaded.paths.home,
    pid: process.pid,
    grpc_port: running.grpcPort,
    ...workerRecord,
  };
  // one line, so a supervisor can read the first line of stdout
  process.stdout.write(
    globals.json
      ? `${JSON.stringify(record)}\n`
      : `${startLine(loaded, running.url)} · gRPC on port ${running.grpcPort}${workerNote}\n`,
  );
  if (stopping) {
    stopping = false;
    shutdown('early signal');
  }
}

async function startBackground(globals: GlobalOptions, loaded: LoadedConfig, o: StartOptions) {
  const { mkdirSync } = await import('node:fs');
  mkdirSync(loaded.paths.logDir, { recursive: true });
  const out = openSync(join(loaded.paths.logDir, 'server.out'), 'a');
  const args = [binPath, '--home', loaded.paths.home, 'server', 'start', '--foreground'];
  if (o.port !== undefined) args.push('--port', String(o.port));
  if (o.host) args.push('--host', o.host);
  if (o.worker === false) args.push('--no-worker');
  if (o.workerPort !== undefined) args.push('--worker-port', String(o.workerPort));
  const child = spawn(process.execPath, args, {
    detached: true,
    stdio: ['ignore', out, out],
    env: process.env,
  });
  child.unref();
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) break;
    const pid = liveServer(loaded.paths.pidFile, { removeStale: true });
    if (pid && pid.pid === child.pid) {
      printResult(
        globals,
        { url: pid.url, port: pid.port, home: loaded.paths.home, pid: pid.pid },
        () => `${startLine(loaded, pid.url)} · pid ${pid.pid}`,
      );
      return;
    }
    await sleep(100);
  }
  throw new HelixError(
    'unavailable',
    `the server did not start: see ${join(loaded.paths.logDir, 'server.out')}`,
  );
}

export async function stop(globals: GlobalOptions): Promise<void> {
  const loaded = loadFor(globals);
  const pid = liveServer(loaded.paths.pidFile, { removeStale: true });
  if (!pid) {
    printResult(globals, { running: false }, () => 'Helix is not running');
    return;
  }
  process.kill(pid.pid, 'SIGTERM');
  const deadline = Date.now() + (loaded.config.server.shutdown_timeout_secs + 5) * 1000;
  while (isAlive(pid.pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid.pid)) process.kill(pid.pid, 'SIGKILL');
  rmSync(loaded.paths.pidFile, { force: true });
  printResult(globals, { running: false, stopped_pid: pid.pid }, () => `stopped Helix (pid ${pid.pid})`);
}

export async function status(globals: GlobalOptions): Promise<void> {
  const loaded = loadFor(globals);
  const pid = liveServer(loaded.paths.pidFile, { removeStale: true });
  if (!pid) {
    printResult(
      globals,
      { running: false, home: loaded.paths.home },
      () => `Helix is not running (data in ${loaded.paths.home})`,
    );
    process.exitCode = 3;
    return;
  }
  let health: unknown = null;
  try {
    const res = await fetch(`${pid.url}/api/v1/health`, { signal: AbortSignal.timeout(3000) });
    health = await res.json();
  } catch (err) {
    health = { status: 'unreachable', error: (err as Error).message };
  }
  const h = health as { status?: string; version?: string; uptime_secs?: number };
  printResult(
    globals,
    { running: true, ...pid, health },
    () =>
      `Helix ${h.version ?? ''} running (pid ${pid.pid}) on ${pid.url} · ${h.status ?? 'unknown'} · up ${h.uptime_secs ?? '?'}s · data in ${pid.home}`,
  );
}

/**
 * The AI layer beside the core shares its process, so it reads provider keys after the
 * environment from the core's `hx secret` store: the OS keyring at once, the vault once unsealed.
 */
async function besideKeys(
  app: import('../../api/create-app.js').App,
  loaded: import('../../core/config/load.js').LoadedConfig,
): Promise<(name: string) => string | undefined> {
  const [{ envKeys }, { withDotEnv }, { Secrets }, { secretKeys }, { cliActor }] = await Promise.all([
    import('../../ai/catalog.js'),
    import('../../core/config/env.js'),
    import('../../vault/secrets/service.js'),
    import('../../vault/secrets/provider-keys.js'),
    import('../../vault/keychain-audit.js'),
  ]);
  const env = envKeys(withDotEnv(process.env, [process.cwd(), loaded.paths.home]));
  const stored = secretKeys(new Secrets(app.ctx, app.vault), cliActor());
  return (name) => env(name) ?? stored(name);
}
