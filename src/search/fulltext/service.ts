import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import { nodeFilterSql } from '../../knowledge/nodes/list.js';
import type { KnowledgeNode } from '../../knowledge/nodes/schema.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import { buildFtsQuery, type FtsQuery } from './query.js';
import type { SearchInput } from './schema.js';

export interface FulltextHit {
  node: KnowledgeNode;
  score: number;
  match_source: 'fulltext';
  snippet: string;
}

const isFtsSyntaxError = (err: unknown) =>
  err instanceof Error && /fts5|syntax error|no such column/i.test(err.message);

/**
 * BM25 full-text search. Ranking is FTS5's own `ORDER BY rank` (weights from `[search]`), so only
 * the returned rows pay for snippets; filters narrow the candidates inside the same query, before
 * the limit applies.
 */
export function searchFulltext(
  ctx: Context,
  input: SearchInput,
): { results: FulltextHit[]; query: FtsQuery } {
  const query = buildFtsQuery(input.q);
  if (query.problem) throw new HelixError('invalid_query', `q: ${query.problem}`, { field: 'q' });
  if (!query.expression) return { results: [], query };
  const s = ctx.config.search;
  const limit = Math.min(input.limit ?? s.default_limit, s.max_limit);
  const kinds = [...(input.kind ?? []), ...(input.type ?? [])];
  const { where, params } = nodeFilterSql({ namespace: input.namespace, kind: kinds, tag: input.tag });
  // unary + keeps SQLite from turning the filter into a rowid lookup that would bypass rank order
  const filter = where.length ? `AND +rowid IN (SELECT seq FROM nodes WHERE ${where.join(' AND ')})` : '';
  const sql = `SELECT rowid AS seq, -rank AS score, snippet(nodes_fts, -1, '<mark>', '</mark>', '…', 24) AS snippet
    FROM nodes_fts WHERE nodes_fts MATCH ? AND rank MATCH ? ${filter} ORDER BY rank LIMIT ?`;
  const rank = `bm25(${s.title_weight}, ${s.content_weight}, ${s.tags_weight})`;
  let hits: { seq: number; score: number; snippet: string | null }[];
  try {
    hits = ctx.db.prepare(sql).all(query.expression, rank, ...params, limit) as typeof hits;
  } catch (err) {
    if (isFtsSyntaxError(err))
      throw new HelixError('invalid_query', `q: cannot be searched as written (${(err as Error).message})`, {
        field: 'q',
      });
    throw err;
  }
  if (hits.length === 0) return { results: [], query };
  const { nodes } = knowledgeStores(ctx.db);
  const rows = ctx.db
    .prepare('SELECT * FROM nodes WHERE seq IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(hits.map((h) => h.seq))) as NodeRow[];
  const bySeq = new Map(nodes.hydrate(rows).map((n, i) => [rows[i]!.seq, n]));
  const results: FulltextHit[] = [];
  for (const h of hits) {
    const node = bySeq.get(h.seq);
    if (node) results.push({ node, score: h.score, match_source: 'fulltext', snippet: h.snippet ?? '' });
  }
  return { results, query };
}
