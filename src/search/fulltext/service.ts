import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import { nodeFilterSql } from '../../knowledge/nodes/list.js';
import type { KnowledgeNode } from '../../knowledge/nodes/schema.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import { buildFtsQuery, type FtsQuery } from './query.js';
import type { SearchInput } from './schema.js';
import { statement } from './statements.js';

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
    return statement(ctx.db, sql).all(...params) as T[];
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
  const expired = statement(
    ctx.db,
    'SELECT seq FROM nodes WHERE expires_at IS NOT NULL AND expires_at <= ?',
    true,
  ).all(ctx.clock.now().toISOString()) as number[];
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
      statement(ctx.db, 'SELECT seq, id FROM nodes WHERE seq IN (SELECT value FROM json_each(?))').all(
        JSON.stringify(hits.map((h) => h.seq)),
      ) as { seq: number; id: string }[]
    ).map((r) => [r.seq, r.id]),
  );
  return hits.flatMap((h) => (ids.has(h.seq) ? [{ id: ids.get(h.seq)!, score: h.score }] : []));
}

type Hit = { seq: number; score: number };

/**
 * The first `limit` hits in one fixed order. With `conjunctive`, notes holding every word come
 * first, each group by BM25 (decision 0010): when at least `limit` notes hold every word, BM25
 * scores only those instead of every note holding any word. The order does not depend on `limit`,
 * so a page asked for with a larger limit (MCP cursors) extends the previous one exactly.
 */
function rankedHits(
  ctx: Context,
  q: { sql: string; params: unknown[] },
  expression: string,
  limit: number,
  conjunctive?: string,
): Hit[] & { allWords?: boolean } {
  if (!conjunctive) return runFts<Hit>(ctx, q.sql, [expression, ...q.params, limit]);
  const hits = runFts<Hit>(ctx, q.sql, [conjunctive, ...q.params, limit]);
  if (hits.length === limit) return Object.assign(hits, { allWords: true });
  // fewer than `limit` hold every word: they are all here, and the best of the rest follow
  const all = new Set(hits.map((h) => h.seq));
  for (const h of runFts<Hit>(ctx, q.sql, [expression, ...q.params, limit])) {
    if (hits.length === limit) break;
    if (!all.has(h.seq)) hits.push(h);
  }
  return hits;
}

const SNIPPET = `snippet(nodes_fts, -1, '<mark>', '</mark>', '…', 24)`;

/**
 * Snippets of the returned rows only. A plain `rowid IN` lets FTS5 seek to each row (1.2 ms at
 * 100k notes) instead of walking every match of the query. When every hit holds every word, the
 * AND expression's matches are few, and walking those between the smallest and largest rowid
 * once costs a third of the seeks (0.6 vs 1.8 ms for 11 rows at 10k notes). Both expressions
 * hold the same phrases, so the same words are marked.
 */
function snippetsOf(ctx: Context, hits: Hit[], expression: string, allWords?: string): Map<number, string> {
  const seqs = hits.map((h) => h.seq);
  const rows = (
    allWords
      ? statement(
          ctx.db,
          `SELECT rowid AS seq, ${SNIPPET} AS snippet FROM nodes_fts WHERE nodes_fts MATCH ?
           AND rowid >= ? AND rowid <= ? AND +rowid IN (SELECT value FROM json_each(?))`,
        ).all(allWords, Math.min(...seqs), Math.max(...seqs), JSON.stringify(seqs))
      : statement(
          ctx.db,
          `SELECT rowid AS seq, ${SNIPPET} AS snippet FROM nodes_fts
           WHERE nodes_fts MATCH ? AND rowid IN (SELECT value FROM json_each(?))`,
        ).all(expression, JSON.stringify(seqs))
  ) as { seq: number; snippet: string | null }[];
  return new Map(rows.map((r) => [r.seq, r.snippet ?? '']));
}

/**
 * BM25 full-text search, filters applied inside the ranking query, before the limit. Only the
 * returned rows pay for snippets. Plain text of several words ranks the notes holding all of them
 * first (`[search] fulltext_candidates`, decision 0010); `"exact"` ranks by BM25 alone.
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
  const conjunctive =
    ctx.config.search.fulltext_candidates === 'conjunctive_first' ? query.conjunctive : undefined;
  const hits = rankedHits(ctx, q, query.expression, limit, conjunctive);
  if (hits.length === 0) return { results: [], query };
  const { nodes } = knowledgeStores(ctx.db);
  const rows = statement(ctx.db, 'SELECT * FROM nodes WHERE seq IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(hits.map((h) => h.seq)),
  ) as NodeRow[];
  const bySeq = new Map(nodes.hydrate(rows).map((n, i) => [rows[i]!.seq, n]));
  const snippets = snippetsOf(ctx, hits, query.expression, hits.allWords ? conjunctive : undefined);
  const results: FulltextHit[] = [];
  for (const h of hits) {
    const node = bySeq.get(h.seq);
    if (node)
      results.push({ node, score: h.score, match_source: 'fulltext', snippet: snippets.get(h.seq) ?? '' });
  }
  return { results, query };
}
