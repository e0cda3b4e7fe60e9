import { homedir } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import type { HelixConfig } from './schema.js';

export interface HelixPaths {
  home: string;
  /** the user's overrides: `$HELIX_HOME/config.toml` */
  configFile: string;
  dataDir: string;
  sqlitePath: string;
  lancedbPath: string;
  blobsPath: string;
  logDir: string;
  modelsDir: string;
  pidFile: string;
}

export const expandHome = (p: string): string =>
  p === '~' ? homedir() : p.startsWith('~/') ? join(homedir(), p.slice(2)) : p;

const under = (base: string, p: string) => {
  const e = expandHome(p);
  return isAbsolute(e) ? e : resolve(base, e);
};

/** `HELIX_HOME`, else `~/.helix`. */
export const resolveHome = (explicit: string | undefined, env: Record<string, string | undefined>): string =>
  resolve(expandHome(explicit || env.HELIX_HOME || '~/.helix'));

export function resolvePaths(home: string, config: HelixConfig): HelixPaths {
  const dataDir = under(home, config.storage.data_dir);
  return {
    home,
    configFile: join(home, 'config.toml'),
    dataDir,
    sqlitePath: under(dataDir, config.storage.sqlite_path),
    lancedbPath: under(dataDir, config.storage.lancedb_path),
    blobsPath: under(dataDir, config.storage.blobs_path),
    logDir: under(home, config.logging.log_dir),
    modelsDir: join(home, 'models'),
    pidFile: join(home, 'helix.pid'),
  };
}
