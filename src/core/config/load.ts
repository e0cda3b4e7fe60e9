import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parse as parseToml, TomlError } from 'smol-toml';
import type { z } from 'zod';
import { type Env, envOverrides, withDotEnv } from './env.js';
import { findKey } from './keys.js';
import { type HelixPaths, resolveHome, resolvePaths } from './paths.js';
import { configSchema, type HelixConfig } from './schema.js';

/** The shipped defaults, every key with a comment. */
export const defaultsFile = fileURLToPath(new URL('../../../config/helix.toml', import.meta.url));

export type HelixEnv = 'development' | 'production' | 'test';

export interface LoadOptions {
  /** `--home`; else HELIX_HOME; else ~/.helix */
  home?: string;
  env?: Env;
  cwd?: string;
  /** command-line overrides by `section.key`: they win over everything */
  flags?: Record<string, unknown>;
  /** test seam: skip the shipped file */
  defaults?: string | null;
  /** validate this text as the user file instead of reading it (`hx config set` checks before writing) */
  userFileText?: string;
}

export interface LoadedConfig {
  config: HelixConfig;
  env: HelixEnv;
  paths: HelixPaths;
  /** where each explicitly set key came from, by `section.key` */
  origins: Record<string, string>;
}

export interface ConfigProblem {
  source: string;
  key: string;
  expected: string;
  value: unknown;
  message: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: ConfigProblem[]) {
    super(
      `invalid configuration:\n${problems
        .map(
          (p) =>
            `  ${p.source}: ${p.key}: ${p.message} (expected ${p.expected}, got ${JSON.stringify(p.value)})`,
        )
        .join('\n')}`,
    );
    this.name = 'ConfigError';
  }
}

type Layer = Record<string, Record<string, unknown>>;

function readToml(file: string, text?: string): Layer {
  if (text === undefined && !existsSync(file)) return {};
  try {
    return parseToml(text ?? readFileSync(file, 'utf8')) as Layer;
  } catch (err) {
    const where = err instanceof TomlError ? ` line ${err.line}, column ${err.column}` : '';
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new ConfigError([
      {
        source: `${file}${where}`,
        key: '(file)',
        expected: 'valid TOML',
        value: null,
        message: message ?? 'parse error',
      },
    ]);
  }
}

function merge(target: Layer, layer: Layer, origin: string, origins: Record<string, string>) {
  for (const [section, value] of Object.entries(layer)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      target[section] = value as never;
      origins[section] = origin;
      continue;
    }
    target[section] ??= {};
    for (const [key, v] of Object.entries(value)) {
      target[section]![key] = v;
      origins[`${section}.${key}`] = origin;
    }
  }
}

function setPath(target: Layer, path: string, value: unknown) {
  const [section, key] = path.split('.') as [string, string];
  target[section] ??= {};
  target[section]![key] = value;
}

const expectedOf = (path: string): string => {
  const key = findKey(path);
  if (!key) return 'a known key';
  return key.type === 'enum' ? `one of ${key.values?.join('|')}` : key.type;
};

function problemsOf(error: z.ZodError, merged: Layer, origins: Record<string, string>): ConfigProblem[] {
  return error.issues.flatMap((issue) => {
    const base = issue.path.map(String);
    const unknown = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
    return unknown.map((extra) => {
      const path = [...base, ...(extra ? [extra] : [])].join('.') || '(root)';
      const [section, key] = path.split('.');
      const value = section && key ? merged[section]?.[key] : section ? merged[section] : undefined;
      return {
        source: origins[path] ?? origins[section ?? ''] ?? 'defaults',
        key: path,
        expected: extra ? 'a known key (see config/helix.toml)' : expectedOf(path),
        value,
        message: extra ? 'unknown key' : issue.message,
      };
    });
  });
}

/**
 * Builds the configuration: shipped defaults < `$HELIX_HOME/config.toml` < `HELIX_*` (and `.env`)
 * < flags, validated once by the schema. Every problem is reported, not just the first.
 */
export function loadConfig(options: LoadOptions = {}): LoadedConfig {
  const rawEnv = options.env ?? process.env;
  const home = resolveHome(options.home, rawEnv);
  const env = withDotEnv(rawEnv, [options.cwd ?? process.cwd(), home]);
  const merged: Layer = {};
  const origins: Record<string, string> = {};
  const defaults = options.defaults === undefined ? defaultsFile : options.defaults;
  if (defaults) merge(merged, readToml(defaults), defaults, {});
  const userFile = `${home}/config.toml`;
  merge(merged, readToml(userFile, options.userFileText), userFile, origins);
  for (const o of envOverrides(env)) {
    setPath(merged, o.path, o.value);
    origins[o.path] = `environment ${o.variable}`;
  }
  for (const [path, value] of Object.entries(options.flags ?? {})) {
    if (value === undefined) continue;
    setPath(merged, path, value);
    origins[path] = 'command line';
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) throw new ConfigError(problemsOf(parsed.error, merged, origins));
  const helixEnv = (env.HELIX_ENV ?? 'development').toLowerCase();
  if (!['development', 'production', 'test'].includes(helixEnv)) {
    throw new ConfigError([
      {
        source: 'environment HELIX_ENV',
        key: 'HELIX_ENV',
        expected: 'development|production|test',
        value: env.HELIX_ENV,
        message: 'unknown environment',
      },
    ]);
  }
  return { config: parsed.data, env: helixEnv as HelixEnv, paths: resolvePaths(home, parsed.data), origins };
}

/** The production guard: refuses to serve an unauthenticated API when HELIX_ENV=production. */
export function assertSafeForEnv(loaded: LoadedConfig): void {
  const { auth } = loaded.config;
  if (auth.enabled && !auth.token && !auth.jwt_secret) {
    throw new ConfigError([
      {
        source: 'configuration',
        key: 'auth.token',
        expected: 'a secret',
        value: '',
        message:
          'auth is enabled but no credential is configured: set HELIX_AUTH_TOKEN (or HELIX_JWT_SECRET)',
      },
    ]);
  }
  if (loaded.env === 'production' && !loaded.config.auth.enabled) {
    throw new ConfigError([
      {
        source: 'environment HELIX_ENV',
        key: 'auth.enabled',
        expected: 'true',
        value: false,
        message:
          'HELIX_ENV=production refuses to start with authentication disabled: set HELIX_AUTH_ENABLED=true and HELIX_AUTH_TOKEN (or `hx config set auth.enabled true`)',
      },
    ]);
  }
}
