import { type LoadedConfig, loadConfig } from '../core/config/load.js';

/** Options every command accepts (set on the root program). */
export interface GlobalOptions {
  home?: string;
  json?: boolean;
  server?: string;
  token?: string;
}

/** The configuration for this invocation; flags are `section.key` overrides. Light: no database. */
export const loadFor = (
  opts: GlobalOptions,
  flags: Record<string, unknown> = {},
  userFileText?: string,
): LoadedConfig =>
  loadConfig({
    ...(opts.home ? { home: opts.home } : {}),
    flags,
    ...(userFileText !== undefined ? { userFileText } : {}),
  });
