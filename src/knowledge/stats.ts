import { statSync } from 'node:fs';
import type { Context } from '../core/context.js';
import { encryptionSummary } from './nodes/encryption-migration.js';

export interface Stats {
  nodes: number;
  relationships: number;
  tags: number;
  versions: number;
  tombstones: number;
  by_kind: Record<string, number>;
  by_namespace: Record<string, number>;
  db_bytes: number;
  wal_bytes: number;
  /** encryption at rest, and what search can see because of it */
  encryption: { enabled: boolean; index_plaintext: boolean; search_scope: string };
}

const size = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

const counts = (ctx: Context, column: 'kind' | 'namespace', namespaces?: readonly string[]) => {
  const filter = namespaces ? 'WHERE namespace IN (SELECT value FROM json_each(?))' : '';
  const rows = ctx.db
    .prepare(`SELECT ${column} AS k, count(*) AS n FROM nodes ${filter} GROUP BY ${column} ORDER BY n DESC`)
    .all(...(namespaces ? [JSON.stringify(namespaces)] : [])) as { k: string; n: number }[];
  return Object.fromEntries(rows.map((r) => [r.k, r.n]));
};

const count = (ctx: Context, table: string) =>
  (ctx.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

/** Counts per kind and namespace, and the database's size on disk. */
export function collectStats(ctx: Context, namespaces?: readonly string[]): Stats {
  const byNamespace = counts(ctx, 'namespace', namespaces);
  return {
    nodes: Object.values(byNamespace).reduce((a, b) => a + b, 0),
    relationships: count(ctx, 'relationships'),
    tags: (ctx.db.prepare('SELECT count(DISTINCT tag) AS n FROM node_tags').get() as { n: number }).n,
    versions: count(ctx, 'node_versions'),
    tombstones: count(ctx, 'node_tombstones'),
    by_kind: counts(ctx, 'kind', namespaces),
    by_namespace: byNamespace,
    db_bytes: size(ctx.paths.sqlitePath),
    wal_bytes: size(`${ctx.paths.sqlitePath}-wal`),
    encryption: encryptionSummary(ctx),
  };
}
