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

type NodeFilter = Parameters<typeof nodeFilterSql>[0];

/** Runs an FTS5 query, turning syntax FTS5 still rejects into a 400 naming `q`. */
function runFts<T>(ctx: Context, sql: string, params: unknown[]): T[] {
  try {
    return ctx.db.prepare(sql).all(...params) as T[];
  } catch (err) {
    if (isFtsSyntaxError(err))
      throw new HelixError('invalid_query', `q: cannot be searched as written (${(err as Error).message})`, {
        field: 'q',
      });
    throw err;
  }
}

/**
 * Best matches first. `ORDER BY bm25(...)` with a plain sort measured 28–36% faster than FTS5's
 * rank cursor on 100k notes (docs/benchmarks.md); snippets are computed afterwards for the returned
 * rows only, since in this statement they would be computed for every match.
 */
function rankedSql(ctx: Context, filter: NodeFilter) {
  const s = ctx.config.search;
  const { where, params } = nodeFilterSql(filter);
  // unary + keeps SQLite from turning the filter into a rowid lookup per candidate
  const clause = where.length ? `AND +rowid IN (SELECT seq FROM nodes WHERE ${where.join(' AND ')})` : '';
  // Expired nodes are few and indexed (migration 0011), so they are looked up first; only when
  // there are some does the query check each match against them (a per-row check costs ~10%).
  const expired = ctx.db
    .prepare('SELECT seq FROM nodes WHERE expires_at IS NOT NULL AND expires_at <= ?')
    .pluck()
    .all(ctx.clock.now().toISOString()) as number[];
  const live = expired.length ? 'AND +rowid NOT IN (SELECT value FROM json_each(?))' : '';
  const score = `bm25(nodes_fts, ${s.title_weight}, ${s.content_weight}, ${s.tags_weight})`;
  const sql = `SELECT rowid AS seq, -${score} AS score FROM nodes_fts WHERE nodes_fts MATCH ? ${clause} ${live} ORDER BY ${score} LIMIT ?`;
  return { sql, params: expired.length ? [...params, JSON.stringify(expired)] : params };
}

/**
 * Ids and BM25 scores of the best matches of an FTS5 expression, filters applied first.
 *
 * With `conjunctive` (the same words joined by AND), the notes holding every word are ranked first
 * and, when there are at least `limit` of them, they are the answer: BM25 must score every match,
 * and a query of common words matches a quarter of a large vault, while the notes with all its
 * words are few and score the same as under OR. A note missing a word rarely outranks them; the
 * cost of that approximation is measured in docs/benchmarks.md (decision 0008).
 */
export function fulltextCandidates(
  ctx: Context,
  expression: string,
  filter: NodeFilter,
  limit: number,
  conjunctive?: string,
): { id: string; score: number }[] {
  const q = rankedSql(ctx, filter);
  let hits: { seq: number; score: number }[] = [];
  if (conjunctive) hits = runFts(ctx, q.sql, [conjunctive, ...q.params, limit]);
  if (hits.length < limit) hits = runFts(ctx, q.sql, [expression, ...q.params, limit]);
  if (hits.length === 0) return [];
  const ids = new Map(
    (
      ctx.db
        .prepare('SELECT seq, id FROM nodes WHERE seq IN (SELECT value FROM json_each(?))')
        .all(JSON.stringify(hits.map((h) => h.seq))) as { seq: number; id: string }[]
    ).map((r) => [r.seq, r.id]),
  );
  return hits.flatMap((h) => (ids.has(h.seq) ? [{ id: ids.get(h.seq)!, score: h.score }] : []));
}

/**
 * BM25 full-text search. Ranking is FTS5's own `ORDER BY rank` (weights from `[search]`), so only
 * the returned rows pay for snippets; filters narrow the candidates inside the same query, before
 * the limit applies.
 */
export function searchFulltext(
  ctx: Context,
  input: SearchInput & { scope?: NodeFilter['scope'] },
): { results: FulltextHit[]; query: FtsQuery } {
  const query = buildFtsQuery(input.q);
  if (query.problem) throw new HelixError('invalid_query', `q: ${query.problem}`, { field: 'q' });
  if (!query.expression) return { results: [], query };
  const limit = Math.min(input.limit ?? ctx.config.search.default_limit, ctx.config.search.max_limit);
  const kinds = [...(input.kind ?? []), ...(input.type ?? [])];
  const q = rankedSql(ctx, { namespace: input.namespace, kind: kinds, tag: input.tag, scope: input.scope });
  const hits = runFts<{ seq: number; score: number }>(ctx, q.sql, [query.expression, ...q.params, limit]);
  if (hits.length === 0) return { results: [], query };
  const { nodes } = knowledgeStores(ctx.db);
  const rows = ctx.db
    .prepare('SELECT * FROM nodes WHERE seq IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(hits.map((h) => h.seq))) as NodeRow[];
  const bySeq = new Map(nodes.hydrate(rows).map((n, i) => [rows[i]!.seq, n]));
  // a plain `rowid IN` lets FTS5 seek to the returned rows (1.2 ms at 100k notes) instead of
  // walking every match of the query and filtering (4–6 ms with `+rowid`)
  const snippets = new Map(
    (
      ctx.db
        .prepare(
          `SELECT rowid AS seq, snippet(nodes_fts, -1, '<mark>', '</mark>', '…', 24) AS snippet FROM nodes_fts
           WHERE nodes_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
        )
        .all(query.expression, JSON.stringify(hits.map((h) => h.seq))) as {
        seq: number;
        snippet: string | null;
      }[]
    ).map((r) => [r.seq, r.snippet ?? '']),
  );
  const results: FulltextHit[] = [];
  for (const h of hits) {
    const node = bySeq.get(h.seq);
    if (node)
      results.push({ node, score: h.score, match_source: 'fulltext', snippet: snippets.get(h.seq) ?? '' });
  }
  return { results, query };
}
