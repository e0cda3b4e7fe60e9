import { errors, jwtVerify } from 'jose';
import { HelixError } from '../core/errors.js';
import type { Principal, Role } from './principal.js';

const ROLES: ReadonlySet<string> = new Set<Role>(['admin', 'write', 'read']);

/** Three base64url segments: the shape of a compact JWS, so a shared token is never parsed as one. */
export const looksLikeJwt = (token: string): boolean =>
  /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/.test(token);

// The secret is encoded once per distinct value, not per request.
let cached: { secret: string; key: Uint8Array } | undefined;
const keyFor = (secret: string): Uint8Array => {
  if (cached?.secret !== secret) cached = { secret, key: new TextEncoder().encode(secret) };
  return cached.key;
};

const fail = (message: string) => new HelixError('unauthenticated', `invalid JWT: ${message}`);

/**
 * jose's own messages can quote claim values; these fixed ones say what was wrong and nothing
 * else, so an error never echoes token contents (security convention 13).
 */
function explain(err: unknown): HelixError {
  if (err instanceof errors.JOSEAlgNotAllowed) return fail('only HS256 is accepted');
  if (err instanceof errors.JWSSignatureVerificationFailed) return fail('signature does not verify');
  if (err instanceof errors.JWTExpired) return fail('token has expired');
  if (err instanceof errors.JWTClaimValidationFailed) {
    if (err.claim === 'nbf') return fail('token is not yet valid (nbf)');
    if (err.claim === 'iat') return fail('token issued in the future (iat)');
    return fail(`claim ${err.claim} is missing or invalid`);
  }
  return fail('malformed token');
}

/**
 * Verifies an HS256 JWT and turns its claims into a principal. The algorithm list is pinned, so
 * `alg: none` and every other algorithm (HS512, RS256 with the secret as a key, …) are refused
 * before any signature work.
 */
export async function verifyJwt(token: string, secret: string): Promise<Principal> {
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, keyFor(secret), {
      algorithms: ['HS256'],
      requiredClaims: ['sub', 'exp'],
    }));
  } catch (err) {
    throw explain(err);
  }
  const { sub, role, namespace } = payload;
  if (typeof sub !== 'string' || sub === '') throw fail('claim sub must be a non-empty string');
  if (typeof role !== 'string' || !ROLES.has(role)) throw fail('claim role must be admin, write or read');
  // No namespace claim means no grant: a token must say what it may touch (least privilege).
  if (typeof namespace !== 'string' || namespace === '')
    throw fail('claim namespace must be a non-empty string');
  return { id: sub, role: role as Role, namespaces: [namespace], via: 'jwt' };
}
