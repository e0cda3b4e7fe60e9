import type { Context } from '../../core/context.js';
import { helixVersion } from '../../core/version.js';
import type { NodeRow } from '../nodes/store.js';
import type { RelationshipRow } from '../relationships/store.js';
import { rowToRelationship } from '../relationships/store.js';
import { knowledgeStores } from '../stores.js';
import { EXPORT_FORMAT, EXPORT_FORMAT_VERSION } from './format.js';

export interface ExportOptions {
  /** only these namespaces (all when absent) */
  namespaces?: readonly string[];
  batchSize?: number;
}

/**
 * Yields the export line by line. Each batch is its own short query (keyset paging), so a long
 * export never holds the connection and writers keep going while it streams.
 */
export function* exportLines(ctx: Context, options: ExportOptions = {}): Generator<string> {
  const batch = options.batchSize ?? 500;
  const ns = options.namespaces ? JSON.stringify(options.namespaces) : null;
  const nsFilter = ns ? 'AND namespace IN (SELECT value FROM json_each(@ns))' : '';
  yield JSON.stringify({
    type: 'header',
    format: EXPORT_FORMAT,
    format_version: EXPORT_FORMAT_VERSION,
    exported_at: ctx.clock.now().toISOString(),
    helix_version: helixVersion,
  });
  const { nodes } = knowledgeStores(ctx.db);
  const nodePage = ctx.db.prepare(
    `SELECT * FROM nodes WHERE seq > @after ${nsFilter} ORDER BY seq LIMIT @batch`,
  );
  for (let after = 0; ; ) {
    const rows = nodePage.all({ after, batch, ns }) as NodeRow[];
    if (rows.length === 0) break;
    for (const n of nodes.hydrate(rows)) yield JSON.stringify({ type: 'node', ...n });
    after = rows[rows.length - 1]!.seq;
  }
  const relFilter = ns
    ? 'AND from_node IN (SELECT id FROM nodes WHERE namespace IN (SELECT value FROM json_each(@ns))) AND to_node IN (SELECT id FROM nodes WHERE namespace IN (SELECT value FROM json_each(@ns)))'
    : '';
  const relPage = ctx.db.prepare(
    `SELECT * FROM relationships WHERE id > @after ${relFilter} ORDER BY id LIMIT @batch`,
  );
  for (let after = ''; ; ) {
    const rows = relPage.all({ after, batch, ns }) as RelationshipRow[];
    if (rows.length === 0) break;
    for (const r of rows) yield JSON.stringify({ type: 'relationship', ...rowToRelationship(r) });
    after = rows[rows.length - 1]!.id;
  }
}
