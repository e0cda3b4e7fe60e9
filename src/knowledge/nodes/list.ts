import type { z } from 'zod';
import type { Context } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { knowledgeStores } from '../stores.js';
import type { KnowledgeNode, ListNodesQuery } from './schema.js';
import type { NodeRow } from './store.js';

export type ListNodes = z.output<typeof ListNodesQuery>;
export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

type Position = { c: string; i: string };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Position).c === 'string' &&
  typeof (v as Position).i === 'string';

/**
 * Filter conditions shared by listing and search. Namespace, kind and tags are applied in SQL
 * before any ranking or truncation, never on a page after the fact.
 */
export function nodeFilterSql(
  filter: Pick<ListNodes, 'namespace' | 'kind' | 'tag' | 'created_after' | 'created_before'> & {
    min_importance?: number | undefined;
    /** a scoped key's limits (policy.ts `scopeFilter`): any of `tags`, one of `kinds` */
    scope?: { tags?: readonly string[]; kinds?: readonly string[] } | undefined;
  },
) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.scope?.kinds?.length) {
    where.push(`kind IN (${filter.scope.kinds.map(() => '?').join(', ')})`);
    params.push(...filter.scope.kinds);
  }
  if (filter.scope?.tags?.length) {
    // node_tags.tag is COLLATE NOCASE, so IN compares case-insensitively like every tag lookup
    where.push(
      `id IN (SELECT node_id FROM node_tags WHERE tag IN (${filter.scope.tags.map(() => '?').join(', ')}))`,
    );
    params.push(...filter.scope.tags);
  }
  if (filter.namespace) {
    where.push('namespace = ?');
    params.push(filter.namespace);
  }
  if (filter.kind?.length) {
    where.push(`kind IN (${filter.kind.map(() => '?').join(', ')})`);
    params.push(...filter.kind);
  }
  for (const tag of filter.tag ?? []) {
    where.push('id IN (SELECT node_id FROM node_tags WHERE tag = ?)');
    params.push(tag);
  }
  if (filter.min_importance !== undefined) {
    where.push('importance >= ?');
    params.push(filter.min_importance);
  }
  if (filter.created_after) {
    where.push('created_at > ?');
    params.push(filter.created_after);
  }
  if (filter.created_before) {
    where.push('created_at < ?');
    params.push(filter.created_before);
  }
  return { where, params };
}

/** Ids of nodes past their `expires_at` (the partial index of migration 0011 keeps this cheap). */
export function expiredNodeIds(ctx: Context): Set<string> {
  const rows = ctx.db
    .prepare('SELECT id FROM nodes WHERE expires_at IS NOT NULL AND expires_at <= ?')
    .all(ctx.clock.now().toISOString()) as { id: string }[];
  return new Set(rows.map((r) => r.id));
}

/** Newest first, keyset-paged so a page is as fast at the end of the list as at the start. */
export function listNodes(
  ctx: Context,
  filter: ListNodes & { scope?: Parameters<typeof nodeFilterSql>[0]['scope'] },
): Page<KnowledgeNode> {
  const { where, params } = nodeFilterSql(filter);
  // expired nodes stay readable by id until the lifecycle job removes them, but are not listed
  where.push('(expires_at IS NULL OR expires_at > ?)');
  params.push(ctx.clock.now().toISOString());
  if (filter.cursor) {
    const pos = decodeCursor(filter.cursor, isPosition);
    where.push('(created_at < ? OR (created_at = ? AND id < ?))');
    params.push(pos.c, pos.c, pos.i);
  }
  const sql = `SELECT * FROM nodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY created_at DESC, id DESC LIMIT ?`;
  const rows = ctx.db.prepare(sql).all(...params, filter.limit + 1) as NodeRow[];
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  const last = page[page.length - 1];
  return {
    items: knowledgeStores(ctx.db).nodes.hydrate(page),
    next_cursor: more && last ? encodeCursor({ c: last.created_at, i: last.id }) : null,
  };
}
