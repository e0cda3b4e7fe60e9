import type { Database } from 'better-sqlite3';
import { timingSafeEqual } from 'node:crypto';
import type { HelixConfig } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import { looksLikeJwt, verifyJwt } from './jwt.js';
import { localAdmin, type Principal } from './principal.js';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/** What every surface (REST, gRPC, WebSocket, MCP) calls with the caller's Authorization value. */
export type Authenticator = (authorization: string | undefined, meta?: { ip?: string }) => Promise<Principal>;

/**
 * Resolves the caller from an `Authorization` header. Every surface (REST, gRPC metadata,
 * WebSocket) calls this one function. The shared token is checked first (constant time); a
 * token shaped like a JWT is then verified when `[auth] jwt_secret` is set. Keys come later.
 */
export async function authenticate(
  config: HelixConfig,
  authorization: string | undefined,
): Promise<Principal> {
  if (!config.auth.enabled) return localAdmin;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match)
    throw new HelixError('unauthenticated', 'missing bearer token: send Authorization: Bearer <token>');
  const token = match[1]!;
  if (config.auth.token && sameSecret(token, config.auth.token)) {
    return { id: 'token', role: config.auth.role, namespaces: [config.auth.namespace], via: 'token' };
  }
  if (config.auth.jwt_secret && looksLikeJwt(token)) return verifyJwt(token, config.auth.jwt_secret);
  throw new HelixError('unauthenticated', 'invalid bearer token');
}

/** What an authenticator needs from the app context. */
export interface AuthContext {
  config: HelixConfig;
  db: Database;
}

/**
 * The core's authenticator: the shared token and JWTs, then keys stored in the database.
 * Built once per app and handed to every surface (REST, gRPC, WebSocket, MCP).
 */
export function createAuthenticator(ctx: AuthContext): Authenticator {
  return (authorization) => authenticate(ctx.config, authorization);
}
