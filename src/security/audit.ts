import type { Context } from '../core/context.js';
import { decodeCursor, encodeCursor } from '../core/cursor.js';
import type { AuditEntry, AuditOutcome } from './audit-entry.js';
import { ensureConfigSecrets, redactValue } from './redact.js';

/** A stored audit row as the API presents it (`seq` is internal: it only orders pages). */
export interface AuditRecord extends AuditEntry {
  id: string;
  at: string;
}

export interface AuditFilter {
  actor?: string | undefined;
  action?: string | undefined;
  target?: string | undefined;
  namespace?: string | undefined;
  outcome?: AuditOutcome | undefined;
  /** inclusive lower bound, ISO-8601 UTC */
  since?: string | undefined;
  /** exclusive upper bound, ISO-8601 UTC */
  until?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

export interface AuditPage {
  items: AuditRecord[];
  next_cursor: string | null;
}

type Row = AuditRecord & { seq: number };
type Position = { s: number };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' && v !== null && Number.isInteger((v as Position).s);

const COLUMNS = [
  'id',
  'at',
  'actor',
  'actor_via',
  'role',
  'action',
  'target',
  'namespace',
  'outcome',
  'status',
  'request_id',
  'ip',
] as const;

/** Appends one row; the database triggers refuse any later UPDATE or DELETE. */
export function recordAudit(ctx: Context, entry: AuditEntry): AuditRecord {
  // Belt and braces: the pipeline hands over no secret-bearing field, but any known secret or
  // credential shape in a text column is still masked before the row becomes permanent.
  ensureConfigSecrets(ctx.config);
  const record = redactValue<AuditRecord>({
    ...entry,
    id: ctx.ids.next(),
    at: ctx.clock.now().toISOString(),
  });
  ctx.db
    .prepare(
      `INSERT INTO audit_log (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
    )
    .run(record);
  return record;
}

/**
 * The callback the HTTP pipeline calls after each response. An audit write that fails (disk
 * full, database locked) is logged and swallowed: it must never turn a done request into an error.
 */
export function auditRecorder(ctx: Context): (entry: AuditEntry) => void {
  return (entry) => {
    try {
      recordAudit(ctx, entry);
    } catch (err) {
      ctx.logger.error({ err, request_id: entry.request_id, action: entry.action }, 'audit write failed');
    }
  };
}

const present = (row: Row): AuditRecord => {
  const { seq: _seq, ...rest } = row;
  return rest;
};

/** Newest first, keyset-paged on seq so deep pages stay as fast as the first. */
export function queryAudit(ctx: Context, filter: AuditFilter): AuditPage {
  const where: string[] = [];
  const params: unknown[] = [];
  for (const key of ['actor', 'action', 'target', 'namespace', 'outcome'] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    where.push(`${key} = ?`);
    params.push(value);
  }
  if (filter.since) {
    where.push('at >= ?');
    params.push(filter.since);
  }
  if (filter.until) {
    where.push('at < ?');
    params.push(filter.until);
  }
  if (filter.cursor) {
    where.push('seq < ?');
    params.push(decodeCursor(filter.cursor, isPosition).s);
  }
  const sql = `SELECT seq, ${COLUMNS.join(', ')} FROM audit_log
    ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`;
  const rows = ctx.db.prepare(sql).all(...params, filter.limit + 1) as Row[];
  const more = rows.length > filter.limit;
  const page = more ? rows.slice(0, filter.limit) : rows;
  const last = page[page.length - 1];
  return { items: page.map(present), next_cursor: more && last ? encodeCursor({ s: last.seq }) : null };
}
