import type { Database } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import { HelixError, invalid, notFound } from '../../core/errors.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import type { KnowledgeNode } from '../../knowledge/nodes/schema.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { hashSecret, mintSecret } from '../keys/secret.js';

export interface ShareRow {
  id: string;
  node_id: string;
  token_hash: string;
  created_by: string;
  created_at: string;
  expires_at: string | null;
  revoked_at: string | null;
}

export const presentShare = (r: ShareRow) => ({
  id: r.id,
  node_id: r.node_id,
  created_by: r.created_by,
  created_at: r.created_at,
  expires_at: r.expires_at,
  revoked_at: r.revoked_at,
});
export type Share = ReturnType<typeof presentShare>;

export function createShare(
  ctx: Context,
  input: { node_id: string; expires_at?: string | null | undefined },
  createdBy: string,
) {
  if (input.expires_at && Date.parse(input.expires_at) <= ctx.clock.now().getTime())
    throw invalid('expires_at', 'must be in the future');
  const minted = mintSecret('share');
  const row: ShareRow = {
    id: ctx.ids.next(),
    node_id: input.node_id,
    token_hash: minted.hash,
    created_by: createdBy,
    created_at: ctx.clock.now().toISOString(),
    expires_at: input.expires_at ?? null,
    revoked_at: null,
  };
  ctx.db
    .prepare(
      `INSERT INTO shares (id, node_id, token_hash, created_by, created_at, expires_at, revoked_at)
       VALUES (@id, @node_id, @token_hash, @created_by, @created_at, @expires_at, @revoked_at)`,
    )
    .run(row);
  return { ...presentShare(row), token: minted.secret, url: `/public/shares/${minted.secret}` };
}

export function getShare(db: Database, id: string): ShareRow {
  const row = db.prepare('SELECT * FROM shares WHERE id = ?').get(id) as ShareRow | undefined;
  if (!row) throw notFound('share', id);
  return row;
}

export function listShares(db: Database, filter: { node_id?: string | undefined }): ShareRow[] {
  return (
    filter.node_id
      ? db
          .prepare('SELECT * FROM shares WHERE node_id = ? ORDER BY created_at DESC, id DESC')
          .all(filter.node_id)
      : db.prepare('SELECT * FROM shares ORDER BY created_at DESC, id DESC').all()
  ) as ShareRow[];
}

export function revokeShare(ctx: Context, id: string): void {
  ctx.db
    .prepare('UPDATE shares SET revoked_at = coalesce(revoked_at, ?) WHERE id = ?')
    .run(ctx.clock.now().toISOString(), id);
}

const lookupStatements = new WeakMap<Database, ReturnType<Database['prepare']>>();

/**
 * The node behind a public token, or `not_found`. Unknown, revoked and expired tokens take the
 * same path (one SHA-256, one indexed read by hash) and end in the same error, so neither the
 * answer nor its timing tells them apart. Looking up by hash also means an attacker's input is
 * never compared with a stored secret byte by byte.
 */
export function nodeForToken(ctx: Context, token: string): KnowledgeNode {
  let stmt = lookupStatements.get(ctx.db);
  if (!stmt) {
    stmt = ctx.db.prepare(
      `SELECT s.expires_at AS share_expires_at, s.revoked_at AS share_revoked_at, n.*
       FROM shares s JOIN nodes n ON n.id = s.node_id WHERE s.token_hash = ?`,
    );
    lookupStatements.set(ctx.db, stmt);
  }
  const row = stmt.get(hashSecret(token)) as
    | (NodeRow & { share_expires_at: string | null; share_revoked_at: string | null })
    | undefined;
  const now = ctx.clock.now().getTime();
  const usable =
    row !== undefined &&
    row.share_revoked_at === null &&
    (row.share_expires_at === null || Date.parse(row.share_expires_at) > now);
  if (!usable) throw new HelixError('not_found', 'not found');
  return knowledgeStores(ctx.db).nodes.hydrate([row])[0]!;
}
