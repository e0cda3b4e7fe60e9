import { randomUUID } from 'node:crypto';
import type { Database } from 'better-sqlite3';
import { decodeJwt, SignJWT } from 'jose';
import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import { isUuid } from '../../core/ids.js';
import { hashSecret, mintSecret, sameHash } from '../keys/secret.js';
import type { Principal, Role } from '../principal.js';
import type { Client, CreateClient, OAuthErrorCode } from './schema.js';

interface ClientRow {
  id: string;
  name: string;
  secret_hash: string;
  role: Role;
  namespace: string;
  created_at: string;
  last_used_at: string | null;
  revoked_at: string | null;
}

const present = (r: ClientRow): Client => ({
  client_id: r.id,
  name: r.name,
  role: r.role,
  namespace: r.namespace,
  created_at: r.created_at,
  last_used_at: r.last_used_at,
  revoked_at: r.revoked_at,
});

/** An RFC 6749 §5.2 error: the token endpoint answers `{error, error_description}`, not the Helix shape. */
export class OAuthError extends Error {
  constructor(
    readonly error: OAuthErrorCode,
    readonly description: string,
    readonly status = 400,
  ) {
    super(description);
  }
}

export function createClient(ctx: Context, input: CreateClient) {
  const minted = mintSecret('oauthClient');
  const row: ClientRow = {
    id: ctx.ids.next(),
    name: input.name,
    secret_hash: minted.hash,
    role: input.role,
    namespace: input.namespace,
    created_at: ctx.clock.now().toISOString(),
    last_used_at: null,
    revoked_at: null,
  };
  ctx.db
    .prepare(
      `INSERT INTO oauth_clients (id, name, secret_hash, role, namespace, created_at, last_used_at, revoked_at)
       VALUES (@id, @name, @secret_hash, @role, @namespace, @created_at, @last_used_at, @revoked_at)`,
    )
    .run(row);
  return { ...present(row), client_secret: minted.secret };
}

export const listClients = (db: Database) =>
  (db.prepare('SELECT * FROM oauth_clients ORDER BY created_at DESC, id DESC').all() as ClientRow[]).map(
    present,
  );

// prepared once per database: the authenticator reads a client on every OAuth-token request
const byId = new WeakMap<Database, ReturnType<Database['prepare']>>();
function clientRow(db: Database, id: string): ClientRow | undefined {
  let stmt = byId.get(db);
  if (!stmt) {
    stmt = db.prepare('SELECT * FROM oauth_clients WHERE id = ?');
    byId.set(db, stmt);
  }
  return stmt.get(id) as ClientRow | undefined;
}

/** Revoking also voids the tokens already issued to the client (the authenticator checks it). */
export function revokeClient(ctx: Context, id: string): void {
  if (!clientRow(ctx.db, id)) throw notFound('oauth client', id);
  ctx.db
    .prepare('UPDATE oauth_clients SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
    .run(ctx.clock.now().toISOString(), id);
}

export interface ClientCredentials {
  clientId: string;
  clientSecret: string;
}

/** Checks a client's credentials; every failure is the same `invalid_client`, whatever was wrong. */
export function authenticateClient(db: Database, creds: ClientCredentials): ClientRow {
  const fail = () => new OAuthError('invalid_client', 'client authentication failed', 401);
  // hash even for an unknown id, so the answer takes the same time either way
  const hash = hashSecret(creds.clientSecret);
  const row = isUuid(creds.clientId) ? clientRow(db, creds.clientId) : undefined;
  const ok = sameHash(row?.secret_hash ?? '00', hash);
  if (!row || !ok || row.revoked_at) throw fail();
  return row;
}

const rank: Record<Role, number> = { read: 0, write: 1, admin: 2 };

/** `scope` names a role the token should carry, at most the client's own (least privilege on request). */
export function grantedRole(client: Role, scope: string | undefined): Role {
  if (scope === undefined || scope.trim() === '') return client;
  const asked = scope.trim().split(/\s+/);
  let role: Role | undefined;
  for (const s of asked) {
    if (!(s in rank))
      throw new OAuthError(
        'invalid_scope',
        `unknown scope ${JSON.stringify(s.slice(0, 32))}: use read, write or admin`,
      );
    if (!role || rank[s as Role] > rank[role]) role = s as Role;
  }
  if (rank[role!] > rank[client])
    throw new OAuthError('invalid_scope', `scope ${role} exceeds this client's role (${client})`);
  return role!;
}

/** An HS256 JWT with the client's (or the requested lesser) role and its namespace. */
export async function issueToken(ctx: Context, client: ClientRow, scope: string | undefined) {
  const secret = ctx.config.auth.jwt_secret;
  if (!secret)
    throw new OAuthError(
      'temporarily_unavailable',
      'OAuth tokens are signed with [auth] jwt_secret (HELIX_JWT_SECRET), which is not set',
      503,
    );
  const role = grantedRole(client.role, scope);
  const ttl = ctx.config.auth.oauth_token_ttl_secs;
  const now = Math.floor(ctx.clock.now().getTime() / 1000);
  const accessToken = await new SignJWT({ role, namespace: client.namespace, client_id: client.id })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(`oauth:${client.id}`)
    .setIssuedAt(now)
    .setExpirationTime(now + ttl)
    .setJti(randomUUID())
    .sign(new TextEncoder().encode(secret));
  ctx.db
    .prepare('UPDATE oauth_clients SET last_used_at = ? WHERE id = ?')
    .run(ctx.clock.now().toISOString(), client.id);
  return { access_token: accessToken, token_type: 'Bearer' as const, expires_in: ttl, scope: role };
}

/**
 * A verified JWT that names an OAuth client is honoured only while the client exists and is not
 * revoked, so revoking a client cuts its tokens off before they expire.
 */
export function oauthClientCheck(db: Database, token: string, principal: Principal): Principal {
  const clientId = decodeJwt(token).client_id;
  if (clientId === undefined) return principal;
  const row = typeof clientId === 'string' && isUuid(clientId) ? clientRow(db, clientId) : undefined;
  if (!row || row.revoked_at)
    throw new HelixError('unauthenticated', 'the OAuth client of this token has been revoked');
  return { ...principal, via: 'oauth' };
}
