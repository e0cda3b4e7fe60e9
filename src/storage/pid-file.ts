import { existsSync, readFileSync, rmSync } from 'node:fs';

/** What a running server records in `$HELIX_HOME/helix.pid`. */
export interface PidFile {
  pid: number;
  host: string;
  port: number;
  url: string;
  home: string;
  started_at: string;
}

/** Whether a process exists; EPERM means it does but belongs to another user. */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export interface LiveServerOptions {
  /** delete a pid file that is unreadable or names a dead process (a server that crashed) */
  removeStale?: boolean;
}

/**
 * The record in `pidFile` if the server it names is alive, else undefined. A pid that is not a
 * positive integer counts as unreadable: `kill(0)` or `kill(-1)` would probe a whole process group
 * and always answer "alive".
 */
export function liveServer(pidFile: string, options: LiveServerOptions = {}): PidFile | undefined {
  if (!existsSync(pidFile)) return undefined;
  let record: PidFile | undefined;
  try {
    record = JSON.parse(readFileSync(pidFile, 'utf8')) as PidFile;
  } catch {
    // unreadable: treated as stale
  }
  const pid = record?.pid;
  if (record && typeof pid === 'number' && Number.isInteger(pid) && pid > 0 && isAlive(pid)) return record;
  if (options.removeStale) rmSync(pidFile, { force: true });
  return undefined;
}
