import { timingSafeEqual } from 'node:crypto';
import type { HelixConfig } from '../core/config/schema.js';
import { HelixError } from '../core/errors.js';
import { localAdmin, type Principal } from './principal.js';

const sameSecret = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Resolves the caller from an `Authorization` header. Every surface (REST, gRPC metadata,
 * WebSocket) calls this one function. JWTs and keys arrive with the perimeter work.
 */
export function authenticate(config: HelixConfig, authorization: string | undefined): Principal {
  if (!config.auth.enabled) return localAdmin;
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  if (!match)
    throw new HelixError('unauthenticated', 'missing bearer token: send Authorization: Bearer <token>');
  const token = match[1]!;
  if (config.auth.token && sameSecret(token, config.auth.token)) {
    return { id: 'token', role: config.auth.role, namespaces: [config.auth.namespace], via: 'token' };
  }
  throw new HelixError('unauthenticated', 'invalid bearer token');
}
