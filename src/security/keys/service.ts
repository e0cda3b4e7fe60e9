import type { Database } from 'better-sqlite3';
import type { Clock } from '../../core/clock.js';
import type { Context } from '../../core/context.js';
import { HelixError, invalid, notFound } from '../../core/errors.js';
import type { Principal, PrincipalScope, Role, Tier } from '../principal.js';
import type { CreateAccessKey, CreateApiKey } from './schema.js';
import { hashSecret, lookupPrefix, mintSecret, sameHash, type SecretKind } from './secret.js';
import {
  type AccessKeyGrant,
  type AccessKeyRow,
  type ApiKeyRow,
  keyLookup,
  presentAccessKey,
  presentApiKey,
} from './store.js';

/** Tier → role. edit and action write; MCP turns a scoped edit key's writes into proposals (scope.tier). */
export const roleOfTier: Record<Tier, Role> = {
  view: 'read',
  edit: 'write',
  action: 'write',
  admin: 'admin',
};

/** `last_used_at` is written at most this often per key, so authentication stays a read. */
export const LAST_USED_INTERVAL_MS = 60_000;

function futureOrNull(clock: Clock, expiresAt: string | null | undefined): string | null {
  if (!expiresAt) return null;
  if (Date.parse(expiresAt) <= clock.now().getTime()) throw invalid('expires_at', 'must be in the future');
  return expiresAt;
}

export function createApiKey(ctx: Context, input: CreateApiKey, createdBy: string) {
  const minted = mintSecret('apiKey');
  const row: ApiKeyRow = {
    id: ctx.ids.next(),
    name: input.name,
    prefix: minted.prefix,
    key_hash: minted.hash,
    role: input.role,
    namespaces: JSON.stringify([...new Set(input.namespaces)]),
    created_by: createdBy,
    created_at: ctx.clock.now().toISOString(),
    last_used_at: null,
    expires_at: futureOrNull(ctx.clock, input.expires_at),
    revoked_at: null,
  };
  ctx.db
    .prepare(
      `INSERT INTO api_keys (id, name, prefix, key_hash, role, namespaces, created_by, created_at, last_used_at, expires_at, revoked_at)
       VALUES (@id, @name, @prefix, @key_hash, @role, @namespaces, @created_by, @created_at, @last_used_at, @expires_at, @revoked_at)`,
    )
    .run(row);
  return { ...presentApiKey(row), key: minted.secret };
}

export const listApiKeys = (db: Database) =>
  (db.prepare('SELECT * FROM api_keys ORDER BY created_at DESC, id DESC').all() as ApiKeyRow[]).map(
    presentApiKey,
  );

export function getApiKey(db: Database, id: string) {
  const row = db.prepare('SELECT * FROM api_keys WHERE id = ?').get(id) as ApiKeyRow | undefined;
  if (!row) throw notFound('api key', id);
  return presentApiKey(row);
}

/** Revoking keeps the row (listings and the audit trail still name it); the secret stops working at once. */
export function revokeApiKey(ctx: Context, id: string): void {
  getApiKey(ctx.db, id);
  ctx.db
    .prepare('UPDATE api_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
    .run(ctx.clock.now().toISOString(), id);
}

export function createAccessKey(ctx: Context, input: CreateAccessKey) {
  if (!ctx.db.prepare('SELECT 1 FROM permission_templates WHERE id = ?').get(input.template_id))
    throw notFound('permission template', input.template_id);
  if (input.consumer_id && !ctx.db.prepare('SELECT 1 FROM consumers WHERE id = ?').get(input.consumer_id))
    throw notFound('consumer', input.consumer_id);
  const minted = mintSecret('accessKey');
  const row: AccessKeyRow = {
    id: ctx.ids.next(),
    name: input.name,
    template_id: input.template_id,
    consumer_id: input.consumer_id ?? null,
    prefix: minted.prefix,
    key_hash: minted.hash,
    created_at: ctx.clock.now().toISOString(),
    last_used_at: null,
    expires_at: futureOrNull(ctx.clock, input.expires_at),
    revoked_at: null,
  };
  ctx.db
    .prepare(
      `INSERT INTO access_keys (id, name, template_id, consumer_id, prefix, key_hash, created_at, last_used_at, expires_at, revoked_at)
       VALUES (@id, @name, @template_id, @consumer_id, @prefix, @key_hash, @created_at, @last_used_at, @expires_at, @revoked_at)`,
    )
    .run(row);
  return { ...presentAccessKey(row), key: minted.secret };
}

export function listAccessKeys(db: Database, filter: { consumer_id?: string | undefined } = {}) {
  const rows = filter.consumer_id
    ? db
        .prepare('SELECT * FROM access_keys WHERE consumer_id = ? ORDER BY created_at DESC, id DESC')
        .all(filter.consumer_id)
    : db.prepare('SELECT * FROM access_keys ORDER BY created_at DESC, id DESC').all();
  return (rows as AccessKeyRow[]).map(presentAccessKey);
}

export function getAccessKey(db: Database, id: string) {
  const row = db.prepare('SELECT * FROM access_keys WHERE id = ?').get(id) as AccessKeyRow | undefined;
  if (!row) throw notFound('access key', id);
  return presentAccessKey(row);
}

export function revokeAccessKey(ctx: Context, id: string): void {
  getAccessKey(ctx.db, id);
  ctx.db
    .prepare('UPDATE access_keys SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
    .run(ctx.clock.now().toISOString(), id);
}

/** What resolving a key needs from the app. */
export interface KeyContext {
  db: Database;
  clock?: Clock | undefined;
}

const invalidToken = () => new HelixError('unauthenticated', 'invalid bearer token');

/**
 * Finds the row whose hash matches: rows sharing the visible prefix are all compared, each in
 * constant time, so neither the prefix match nor the comparison says how close a guess was.
 */
function match<T extends { key_hash: string }>(rows: T[], hash: string): T | undefined {
  let found: T | undefined;
  for (const r of rows) if (sameHash(r.key_hash, hash) && !found) found = r;
  return found;
}

function checkUsable(row: { revoked_at: string | null; expires_at: string | null }, now: Date) {
  // only the holder of the real secret gets this far, so naming the reason leaks nothing to a guesser
  if (row.revoked_at) throw new HelixError('unauthenticated', 'this key has been revoked');
  if (row.expires_at && Date.parse(row.expires_at) <= now.getTime())
    throw new HelixError('unauthenticated', 'this key has expired');
}

const due = (lastUsed: string | null, now: Date) =>
  !lastUsed || now.getTime() - Date.parse(lastUsed) >= LAST_USED_INTERVAL_MS;

function touch(stmt: { run(a: string, b: string): unknown }, id: string, now: Date) {
  try {
    stmt.run(now.toISOString(), id);
  } catch {
    // a busy or read-only database must not fail the request: the next use records it
  }
}

const nonEmpty = <T>(list: T[]): T[] | undefined => (list.length ? list : undefined);

export function accessKeyPrincipal(grant: AccessKeyGrant): Principal {
  const scope: PrincipalScope = { tier: grant.tier };
  const tags = nonEmpty(JSON.parse(grant.scope_tags) as string[]);
  const kinds = nonEmpty(JSON.parse(grant.allow_kinds) as string[]);
  const actions = nonEmpty(JSON.parse(grant.allow_actions) as string[]);
  if (tags) scope.tags = tags;
  if (kinds) scope.kinds = kinds;
  if (actions) scope.actions = actions;
  return {
    id: grant.id,
    role: roleOfTier[grant.tier],
    namespaces: [grant.scope_namespace],
    via: 'access_key',
    scope,
  };
}

/** Resolves an API key or a consumer access key to its principal, or throws `unauthenticated`. */
export function resolveKey(
  ctx: KeyContext,
  secret: string,
  kind: Extract<SecretKind, 'apiKey' | 'accessKey'>,
): Principal {
  const lookup = keyLookup(ctx.db);
  const prefix = lookupPrefix(secret);
  const hash = hashSecret(secret);
  const now = ctx.clock?.now() ?? new Date();
  if (kind === 'apiKey') {
    const row = match(lookup.apiKeysByPrefix.all(prefix), hash);
    if (!row) throw invalidToken();
    checkUsable(row, now);
    if (due(row.last_used_at, now)) touch(lookup.touchApiKey, row.id, now);
    return { id: row.id, role: row.role, namespaces: JSON.parse(row.namespaces) as string[], via: 'api_key' };
  }
  const grant = match(lookup.accessKeysByPrefix.all(prefix), hash);
  if (!grant) throw invalidToken();
  checkUsable(grant, now);
  if (due(grant.last_used_at, now)) touch(lookup.touchAccessKey, grant.id, now);
  return accessKeyPrincipal(grant);
}
