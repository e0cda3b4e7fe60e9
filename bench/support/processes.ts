import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const hxBin = fileURLToPath(new URL('../../bin/hx.js', import.meta.url));

/** The CLI runs from dist/: a bench against a stale or missing build would measure the wrong code. */
export function assertBuilt(): void {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url)))) {
    console.error('dist/ is missing: run `npm run build` first (the CLI and server run from dist/)');
    process.exit(1);
  }
}

export interface Timed {
  /** wall clock, spawn to exit */
  ms: number;
  /** user + system CPU of the command (when asked for): steadier than wall time on a shared machine */
  cpuMs?: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

const CPU_LINE = /(\d+)m([\d.]+)s (\d+)m([\d.]+)s\s*$/;

/**
 * Runs a command to completion and times it from spawn to exit (wall clock, high resolution).
 * With `cpu`, it runs under bash, whose `times` builtin then reports the CPU the command used.
 */
export function runTimed(
  cmd: string,
  args: string[],
  options: { env?: NodeJS.ProcessEnv; cpu?: boolean } = {},
): Promise<Timed> {
  const [file, argv] = options.cpu
    ? ['bash', ['-c', '"$@"; rc=$?; times >&2; exit $rc', 'bash', cmd, ...args]]
    : [cmd, args];
  return new Promise((resolve, reject) => {
    const start = process.hrtime.bigint();
    const child = spawn(file, argv, { env: options.env ?? process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - start) / 1e6;
      let stderr = Buffer.concat(err).toString('utf8');
      let cpuMs: number | undefined;
      const m = options.cpu ? CPU_LINE.exec(stderr) : null;
      if (m) {
        // `times` prints the shell's own line, then its children's: the command is the last one
        cpuMs = (Number(m[1]) * 60 + Number(m[2]) + Number(m[3]) * 60 + Number(m[4])) * 1000;
        stderr = stderr.slice(0, m.index).replace(/\S+ \S+\s*$/, '');
      }
      resolve({
        ms,
        ...(cpuMs !== undefined ? { cpuMs } : {}),
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr,
      });
    });
  });
}

export interface ServerProcess {
  url: string;
  pid: number;
  stop(): Promise<void>;
}

/** `hx server start --foreground --port 0` in its own process; resolves once it prints its URL. */
export function startServer(home: string, env: NodeJS.ProcessEnv = process.env): Promise<ServerProcess> {
  return new Promise((resolve, reject) => {
    const child: ChildProcess = spawn(
      process.execPath,
      [hxBin, '--home', home, '--json', 'server', 'start', '--foreground', '--port', '0'],
      { env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let err = '';
    const timer = setTimeout(() => fail(new Error(`server did not start in 30 s: ${err || out}`)), 30_000);
    const fail = (e: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(e);
    };
    child.stderr?.on('data', (b: Buffer) => {
      err += b.toString();
    });
    child.on('exit', (code) => fail(new Error(`server exited (${code}) before listening: ${err || out}`)));
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
      let info: { url?: string };
      try {
        info = JSON.parse(out) as { url?: string };
      } catch {
        return; // the JSON is printed over several lines: wait for the rest
      }
      if (!info.url) return;
      clearTimeout(timer);
      child.removeAllListeners('exit');
      resolve({
        url: info.url,
        pid: child.pid!,
        stop: () =>
          new Promise<void>((done) => {
            if (child.exitCode !== null) return done();
            child.once('exit', () => done());
            child.kill('SIGTERM');
          }),
      });
    });
  });
}
