import type { Database } from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import type { AutoApproveRule, BlockedSender } from './schema.js';

/** SQL for blocked senders and auto-approve rules (migration 0010). Ids are UUIDv7: id order is creation order. */

export interface Page<T> {
  items: T[];
  next_cursor: string | null;
}

type After = { a: string };
const isAfter = (v: unknown): v is After =>
  typeof v === 'object' && v !== null && typeof (v as After).a === 'string';

function page<T extends { id: string }>(
  db: Database,
  table: string,
  limit: number,
  cursor: string | undefined,
): { rows: T[]; next_cursor: string | null } {
  const after = cursor ? decodeCursor(cursor, isAfter).a : '';
  const rows = db
    .prepare(`SELECT * FROM ${table} WHERE id > ? ORDER BY id LIMIT ?`)
    .all(after, limit + 1) as T[];
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  const last = items[items.length - 1];
  return { rows: items, next_cursor: more && last ? encodeCursor({ a: last.id }) : null };
}

export const listBlockedSenders = (db: Database, limit: number, cursor?: string): Page<BlockedSender> => {
  const { rows, next_cursor } = page<BlockedSender>(db, 'blocked_senders', limit, cursor);
  return { items: rows, next_cursor };
};

export const insertBlockedSender = (db: Database, row: BlockedSender): void => {
  db.prepare(
    `INSERT INTO blocked_senders (id, pattern, channel, reason, created_by, created_at)
     VALUES (@id, @pattern, @channel, @reason, @created_by, @created_at)`,
  ).run(row);
};

export const findBlockedSender = (
  db: Database,
  channel: string,
  pattern: string,
): BlockedSender | undefined =>
  db.prepare('SELECT * FROM blocked_senders WHERE channel = ? AND pattern = ?').get(channel, pattern) as
    | BlockedSender
    | undefined;

export const deleteBlockedSender = (db: Database, id: string): boolean =>
  db.prepare('DELETE FROM blocked_senders WHERE id = ?').run(id).changes > 0;

/** The patterns that apply to a channel: its own and the ones for every channel. */
export const blockedSendersFor = (db: Database, channel: string): BlockedSender[] =>
  db.prepare("SELECT * FROM blocked_senders WHERE channel IN (?, '*')").all(channel) as BlockedSender[];

interface RuleRow extends Omit<AutoApproveRule, 'tags' | 'enabled'> {
  tags: string;
  enabled: number;
}

const toRule = (r: RuleRow): AutoApproveRule => ({
  ...r,
  tags: JSON.parse(r.tags) as string[],
  enabled: r.enabled === 1,
});
const toRow = (r: AutoApproveRule): RuleRow => ({
  ...r,
  tags: JSON.stringify(r.tags),
  enabled: r.enabled ? 1 : 0,
});

export const listAutoApproveRules = (db: Database, limit: number, cursor?: string): Page<AutoApproveRule> => {
  const { rows, next_cursor } = page<RuleRow>(db, 'auto_approve_rules', limit, cursor);
  return { items: rows.map(toRule), next_cursor };
};

export const getAutoApproveRule = (db: Database, id: string): AutoApproveRule | undefined => {
  const row = db.prepare('SELECT * FROM auto_approve_rules WHERE id = ?').get(id) as RuleRow | undefined;
  return row ? toRule(row) : undefined;
};

export const insertAutoApproveRule = (db: Database, rule: AutoApproveRule): void => {
  db.prepare(
    `INSERT INTO auto_approve_rules (id, action, namespace, kind, tags, source, min_confidence, enabled, description, created_by, created_at, updated_at)
     VALUES (@id, @action, @namespace, @kind, @tags, @source, @min_confidence, @enabled, @description, @created_by, @created_at, @updated_at)`,
  ).run(toRow(rule));
};

export const replaceAutoApproveRule = (db: Database, rule: AutoApproveRule): void => {
  db.prepare(
    `UPDATE auto_approve_rules SET action = @action, namespace = @namespace, kind = @kind, tags = @tags, source = @source,
       min_confidence = @min_confidence, enabled = @enabled, description = @description, updated_at = @updated_at
     WHERE id = @id`,
  ).run(toRow(rule));
};

export const deleteAutoApproveRule = (db: Database, id: string): boolean =>
  db.prepare('DELETE FROM auto_approve_rules WHERE id = ?').run(id).changes > 0;

/** Enabled rules that could apply to an action (its own and the `*` ones). */
export const enabledRulesFor = (db: Database, action: string): AutoApproveRule[] =>
  (
    db
      .prepare("SELECT * FROM auto_approve_rules WHERE enabled = 1 AND action IN (?, '*')")
      .all(action) as RuleRow[]
  ).map(toRule);
