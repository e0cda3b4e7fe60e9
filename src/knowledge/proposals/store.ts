import type { Database } from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import type { ListProposals, Proposal, ProposalAction, ProposalStatus } from './schema.js';

export interface ProposalRow {
  id: string;
  action: ProposalAction;
  status: ProposalStatus;
  namespace: string;
  target_node_id: string | null;
  payload: string;
  confidence: number;
  reason: string | null;
  source: string;
  proposed_by: string;
  created_at: string;
  decided_at: string | null;
  decided_by: string | null;
  decision_note: string | null;
  auto_rule_id: string | null;
  result_node_id: string | null;
  before: string | null;
}

/** The presenter: `before` (a copy of what an approval replaced) stays internal. */
export function presentProposal(row: ProposalRow): Proposal {
  const { before: _before, payload, ...rest } = row;
  return { ...rest, payload: JSON.parse(payload) as Record<string, unknown> };
}

const COLUMNS = [
  'id',
  'action',
  'status',
  'namespace',
  'target_node_id',
  'payload',
  'confidence',
  'reason',
  'source',
  'proposed_by',
  'created_at',
  'decided_at',
  'decided_by',
  'decision_note',
  'auto_rule_id',
  'result_node_id',
  'before',
] as const;

export function insertProposal(db: Database, row: ProposalRow): void {
  db.prepare(
    `INSERT INTO proposals (${COLUMNS.join(', ')}) VALUES (${COLUMNS.map((c) => `@${c}`).join(', ')})`,
  ).run(row);
}

export function getProposalRow(db: Database, id: string): ProposalRow | undefined {
  return db.prepare('SELECT * FROM proposals WHERE id = ?').get(id) as ProposalRow | undefined;
}

export function saveDecision(
  db: Database,
  id: string,
  fields: Pick<ProposalRow, 'status' | 'decided_at' | 'decided_by' | 'decision_note'> &
    Partial<Pick<ProposalRow, 'auto_rule_id' | 'result_node_id' | 'before'>>,
): void {
  const sets = Object.keys(fields).map((k) => `${k} = @${k}`);
  db.prepare(`UPDATE proposals SET ${sets.join(', ')} WHERE id = @id`).run({ ...fields, id });
}

type Position = { c: string; i: string };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as Position).c === 'string' &&
  typeof (v as Position).i === 'string';

/** Newest first, keyset-paged. `namespace` undefined means every namespace (an owner's view). */
export function listProposalRows(
  db: Database,
  filter: ListProposals,
): { items: ProposalRow[]; next_cursor: string | null } {
  const where: string[] = [];
  const params: unknown[] = [];
  if (filter.status) {
    where.push('status = ?');
    params.push(filter.status);
  }
  if (filter.namespace) {
    where.push('namespace = ?');
    params.push(filter.namespace);
  }
  if (filter.cursor) {
    const pos = decodeCursor(filter.cursor, isPosition);
    where.push('(created_at < ? OR (created_at = ? AND id < ?))');
    params.push(pos.c, pos.c, pos.i);
  }
  const rows = db
    .prepare(
      `SELECT * FROM proposals ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY created_at DESC, id DESC LIMIT ?`,
    )
    .all(...params, filter.limit + 1) as ProposalRow[];
  const more = rows.length > filter.limit;
  const items = more ? rows.slice(0, filter.limit) : rows;
  const last = items[items.length - 1];
  return { items, next_cursor: more && last ? encodeCursor({ c: last.created_at, i: last.id }) : null };
}
