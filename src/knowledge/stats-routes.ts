import { statSync } from 'node:fs';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { authorize, type DomainRoutes } from '../http/route.js';
import { scopeFilter } from '../security/policy.js';
import type { Principal } from '../security/principal.js';
import { nodeFilterSql } from './nodes/list.js';
import { encryptionSummary } from './nodes/encryption-migration.js';
import { collectStats, type Stats } from './stats.js';

const StatsSchema = z.object({
  nodes: z.number().int(),
  relationships: z.number().int(),
  tags: z.number().int(),
  versions: z.number().int(),
  tombstones: z.number().int(),
  by_kind: z.record(z.string(), z.number()),
  by_namespace: z.record(z.string(), z.number()),
  db_bytes: z.number(),
  wal_bytes: z.number(),
  encryption: z.object({ enabled: z.boolean(), index_plaintext: z.boolean(), search_scope: z.string() }),
});

const fileSize = (file: string) => {
  try {
    return statSync(file).size;
  } catch {
    return 0;
  }
};

/**
 * Counts over the nodes a limited admin (some namespaces, or a key's tags and kinds) can see:
 * every figure comes from that set, so the totals of other namespaces do not leak.
 */
function scopedStats(ctx: Context, p: Principal): Stats {
  const { where, params } = nodeFilterSql({ scope: scopeFilter(p) });
  if (!p.namespaces.includes('*')) {
    where.push('namespace IN (SELECT value FROM json_each(?))');
    params.push(JSON.stringify(p.namespaces));
  }
  const visible = `WITH v AS (SELECT id, kind, namespace FROM nodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''})`;
  const one = (sql: string) => (ctx.db.prepare(`${visible} ${sql}`).get(...params) as { n: number }).n;
  const groups = (column: 'kind' | 'namespace') =>
    Object.fromEntries(
      (
        ctx.db
          .prepare(
            `${visible} SELECT ${column} AS k, count(*) AS n FROM v GROUP BY ${column} ORDER BY n DESC`,
          )
          .all(...params) as { k: string; n: number }[]
      ).map((r) => [r.k, r.n]),
    );
  // a tombstone keeps namespace and kind but not tags: with a tag limit none can be shown as in scope
  const tombstoneWhere = [
    ...(p.namespaces.includes('*') ? [] : ['namespace IN (SELECT value FROM json_each(?))']),
    ...(p.scope?.kinds?.length ? ['kind IN (SELECT value FROM json_each(?))'] : []),
  ];
  const tombstoneParams = [
    ...(p.namespaces.includes('*') ? [] : [JSON.stringify(p.namespaces)]),
    ...(p.scope?.kinds?.length ? [JSON.stringify(p.scope.kinds)] : []),
  ];
  const tombstones = p.scope?.tags?.length
    ? 0
    : (
        ctx.db
          .prepare(
            `SELECT count(*) AS n FROM node_tombstones ${tombstoneWhere.length ? `WHERE ${tombstoneWhere.join(' AND ')}` : ''}`,
          )
          .get(...tombstoneParams) as { n: number }
      ).n;
  return {
    nodes: one('SELECT count(*) AS n FROM v'),
    relationships: one(
      'SELECT count(*) AS n FROM relationships WHERE from_node IN (SELECT id FROM v) AND to_node IN (SELECT id FROM v)',
    ),
    tags: one('SELECT count(DISTINCT tag) AS n FROM node_tags WHERE node_id IN (SELECT id FROM v)'),
    versions: one('SELECT count(*) AS n FROM node_versions WHERE node_id IN (SELECT id FROM v)'),
    tombstones,
    by_kind: groups('kind'),
    by_namespace: groups('namespace'),
    db_bytes: fileSize(ctx.paths.sqlitePath),
    wal_bytes: fileSize(`${ctx.paths.sqlitePath}-wal`),
    encryption: encryptionSummary(ctx),
  };
}

export const statsRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/stats',
    {
      schema: {
        tags: ['system'],
        summary: 'Counts per kind and namespace, database size (admin; limited to what the caller sees)',
        response: { 200: StatsSchema },
      },
    },
    async (req) => {
      const p = req.principal;
      authorize(p, 'admin');
      if (p.namespaces.includes('*') && !scopeFilter(p)) return collectStats(ctx);
      return scopedStats(ctx, p);
    },
  );
};
