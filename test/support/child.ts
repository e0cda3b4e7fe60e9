import { spawn } from 'node:child_process';
import { cleanEnv } from './cli.js';

export interface ChildRun {
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
}

/**
 * Runs a TypeScript child script (crash tests: it may SIGKILL itself) to its end, collecting its
 * output; with `killAfterMs`, the test kills it that long after its first line of output.
 */
export function runChild(
  script: string,
  args: string[],
  env: Record<string, string>,
  killAfterMs?: number,
): Promise<ChildRun> {
  const p = spawn(process.execPath, ['--import', 'tsx', script, ...args], {
    env: { ...cleanEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  p.stdout.on('data', (d) => {
    out += d;
  });
  p.stderr.on('data', (d) => {
    err += d;
  });
  if (killAfterMs !== undefined)
    p.stdout.once('data', () => setTimeout(() => p.kill('SIGKILL'), killAfterMs));
  return new Promise((resolve) => p.on('exit', (_code, signal) => resolve({ signal, out, err })));
}
