import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Json } from './http.js';

/** The built CLI (`npm run build` first: it runs from dist/). */
export const hxBin = fileURLToPath(new URL('../../bin/hx.js', import.meta.url));

/** The test process's environment without any HELIX_* variable, plus `extra`. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('HELIX_')) env[k] = v;
  // the hash embedder: building the GloVe table in every temp home would cost seconds each
  // gRPC on port 0: servers started by parallel test files must not collide on 50051
  return { ...env, HELIX_EMBEDDING_PROVIDER: 'hash', HELIX_SERVER_GRPC_PORT: '0', ...extra };
}

export interface HxResult {
  code: number;
  stdout: string;
  stderr: string;
  ms: number;
  /** stdout parsed as JSON (throws with the output when it is not) */
  json<T = Json>(): T;
}

export interface HxOptions {
  home?: string;
  env?: Record<string, string>;
  timeoutMs?: number;
  cwd?: string;
}

/** Runs `node bin/hx.js [--home H] ...args` to completion. Never rejects on a non-zero exit. */
export function hx(args: string[], options: HxOptions = {}): Promise<HxResult> {
  const argv = [hxBin, ...(options.home ? ['--home', options.home] : []), ...args];
  const started = performance.now();
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      argv,
      {
        env: cleanEnv(options.env),
        cwd: options.cwd ?? tmpdir(),
        timeout: options.timeoutMs ?? 60_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (err, stdout, stderr) => {
        const code = err ? (err as NodeJS.ErrnoException & { code?: unknown }).code : 0;
        if (err && typeof code !== 'number') return reject(err);
        resolve({
          code: code as number,
          stdout,
          stderr,
          ms: performance.now() - started,
          json<T>() {
            try {
              return JSON.parse(stdout) as T;
            } catch {
              throw new Error(
                `hx ${args.join(' ')}: stdout is not JSON (exit ${code}):\n${stdout}\n${stderr}`,
              );
            }
          },
        });
      },
    );
  });
}

export interface ServerProcess {
  child: ChildProcess;
  url: string;
  port: number;
  pid: number;
  /** the start record, exactly as printed */
  firstStdout: string;
  stdout(): string;
  stderr(): string;
  /** resolves when the process has exited */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Starts `hx --home H server start --foreground --port 0 --json` as a child process and waits for
 * its start record on stdout. The record may span lines (pretty JSON): it is read up to the first
 * complete JSON value.
 */
export interface SpawnOptions {
  env?: Record<string, string>;
  args?: string[];
  /** called synchronously the moment the start record is read (e.g. to signal with no delay) */
  onReady?: (child: ChildProcess) => void;
}

export function spawnServer(home: string, options: SpawnOptions = {}): Promise<ServerProcess> {
  const args = ['--home', home, '--json', 'server', 'start', '--foreground', '--port', '0'];
  return spawnRecord([...args, ...(options.args ?? [])], options);
}

/** `hx --home H --json worker start --port 0` (the AI layer alone), like spawnServer. */
export function spawnWorker(home: string, options: SpawnOptions = {}): Promise<ServerProcess> {
  const args = ['--home', home, '--json', 'worker', 'start', '--port', '0'];
  return spawnRecord([...args, ...(options.args ?? [])], options);
}

function spawnRecord(hxArgs: string[], options: SpawnOptions): Promise<ServerProcess> {
  const args = [hxBin, ...hxArgs];
  const child = spawn(process.execPath, args, {
    env: cleanEnv(options.env),
    cwd: tmpdir(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    err += d;
  });
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`hx ${hxArgs.join(' ')} did not print its start record in time:\n${out}\n${err}`));
    }, 60_000);
    void exited.then(({ code, signal }) => {
      if (started) return;
      clearTimeout(timer);
      reject(new Error(`hx ${hxArgs.join(' ')} exited (${code ?? signal}) before starting:\n${out}\n${err}`));
    });
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      out += d;
      if (started) return;
      const record = firstRecord(out);
      if (!record) return;
      started = true;
      clearTimeout(timer);
      options.onReady?.(child);
      const value = record.value as { url: string; port: number; pid: number };
      resolve({
        child,
        url: value.url,
        port: value.port,
        pid: value.pid,
        firstStdout: record.text,
        stdout: () => out,
        stderr: () => err,
        exited,
      });
    });
  });
}

/** The first complete JSON value at the start of `text`, with its text, if there is one yet. */
function firstRecord(text: string): { value: unknown; text: string } | undefined {
  for (let end = text.indexOf('\n'); end !== -1; end = text.indexOf('\n', end + 1)) {
    const candidate = text.slice(0, end);
    try {
      return { value: JSON.parse(candidate), text: candidate };
    } catch {
      // not complete yet
    }
  }
  return undefined;
}
