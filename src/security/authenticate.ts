import type { Database } from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import type { Clock } from '../core/clock.js';
import type { HelixConfig } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import { looksLikeJwt, verifyJwt } from './jwt.js';
import { secretKindOf } from './keys/secret.js';
import { resolveKey } from './keys/service.js';
import { oauthClientCheck } from './oauth/service.js';
import { localAdmin, type Principal } from './principal.js';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** What every surface (REST, gRPC, WebSocket, MCP) calls with the caller's Authorization value. */
export type Authenticator = (authorization: string | undefined, meta?: { ip?: string }) => Promise<Principal>;

const bearerOf = (authorization: string | undefined): string => {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match)
    throw new HelixError('unauthenticated', 'missing bearer token: send Authorization: Bearer <token>');
  return match[1]!;
};

const tokenPrincipal = (config: HelixConfig, token: string): Principal | undefined =>
  config.auth.token && sameSecret(token, config.auth.token)
    ? { id: 'token', role: config.auth.role, namespaces: [config.auth.namespace], via: 'token' }
    : undefined;

/**
 * Resolves the caller from an `Authorization` header without a database (the AI layer): the
 * shared token first (constant time), then a token shaped like a JWT when `[auth] jwt_secret`
 * is set. The core uses `createAuthenticator`, which also knows the keys it stores.
 */
export async function authenticate(
  config: HelixConfig,
  authorization: string | undefined,
): Promise<Principal> {
  if (!config.auth.enabled) return localAdmin;
  const token = bearerOf(authorization);
  const shared = tokenPrincipal(config, token);
  if (shared) return shared;
  if (config.auth.jwt_secret && looksLikeJwt(token)) return verifyJwt(token, config.auth.jwt_secret);
  throw new HelixError('unauthenticated', 'invalid bearer token');
}

/** What an authenticator needs from the app context. */
export interface AuthContext {
  config: HelixConfig;
  db: Database;
  clock?: Clock;
}

/**
 * The core's authenticator: the shared token, API keys (`hx_key_…`), consumer access keys
 * (`hx_ak_…`) and JWTs (a JWT minted for an OAuth client is refused once the client is revoked).
 * Built once per app and handed to every surface (REST, gRPC, WebSocket, MCP). A key costs one
 * indexed read and a SHA-256; `last_used_at` is written at most once a minute per key.
 */
export function createAuthenticator(ctx: AuthContext): Authenticator {
  const { config } = ctx;
  return async (authorization) => {
    if (!config.auth.enabled) return localAdmin;
    const token = bearerOf(authorization);
    const shared = tokenPrincipal(config, token);
    if (shared) return shared;
    const kind = secretKindOf(token);
    if (kind === 'apiKey' || kind === 'accessKey') return resolveKey(ctx, token, kind);
    if (config.auth.jwt_secret && looksLikeJwt(token)) {
      const principal = await verifyJwt(token, config.auth.jwt_secret);
      return oauthClientCheck(ctx.db, token, principal);
    }
    throw new HelixError('unauthenticated', 'invalid bearer token');
  };
}
