import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { configKeys, findKey, parseKeyValue } from './keys.js';

/**
 * Named variables of the original that do not follow `HELIX_<SECTION>_<KEY>`; they map onto a
 * key and lose to nothing but flags. (`HELIX_AUTH_TOKEN`, `HELIX_AUTH_ROLE`, … already follow it.)
 */
export const envAliases: Readonly<Record<string, string>> = {
  HELIX_JWT_SECRET: 'auth.jwt_secret',
  HELIX_DAILY_BUDGET: 'worker.budget_limit',
  HELIX_BUDGET_ACTION: 'worker.budget_action',
  HELIX_CORE_URL: 'worker.core_url',
  HELIX_RUST_URL: 'worker.core_url',
  HELIX_LLM_API_KEY: 'llm.api_key',
  HELIX_LOG_LEVEL: 'logging.level',
  HELIX_PORT: 'server.rest_port',
  HELIX_GRPC_PORT: 'server.grpc_port',
  HELIX_WORKER_PORT: 'worker.port',
  HELIX_NAMESPACE_NODE_QUOTA: 'knowledge.namespace_node_quota',
  HELIX_REDIS_URL: 'rate_limit.redis_url',
};

export type Env = Record<string, string | undefined>;

/** Reads `.env` files (working directory first, then the data home); real variables win over both. */
export function withDotEnv(env: Env, dirs: string[]): Env {
  const merged: Env = {};
  for (const dir of [...dirs].reverse()) {
    let text: string;
    try {
      text = readFileSync(join(dir, '.env'), 'utf8');
    } catch {
      continue;
    }
    Object.assign(merged, parseEnv(text));
  }
  return { ...merged, ...env };
}

export interface EnvOverride {
  path: string;
  variable: string;
  value: unknown;
}

/** Config overrides found in the environment, with the variable that set each (for error messages). */
export function envOverrides(env: Env): EnvOverride[] {
  const out = new Map<string, EnvOverride>();
  for (const key of configKeys) {
    const raw = env[key.envName];
    if (raw !== undefined)
      out.set(key.path, { path: key.path, variable: key.envName, value: parseKeyValue(key, raw) });
  }
  for (const [variable, path] of Object.entries(envAliases)) {
    const raw = env[variable];
    const key = findKey(path);
    if (raw === undefined || !key || out.has(path)) continue;
    out.set(path, { path, variable, value: parseKeyValue(key, raw) });
  }
  return [...out.values()];
}
