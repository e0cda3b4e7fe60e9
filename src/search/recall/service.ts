import type { Context } from '../../core/context.js';
import { nodeFilterSql } from '../../knowledge/nodes/list.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import { fulltextCandidates } from '../fulltext/service.js';
import { statement } from '../fulltext/statements.js';
import { graphIndexFor } from '../graph/graph-index.js';
import { recordAccess } from './access-log.js';
import { type Fused, fuse } from './fuse.js';
import { type Complete, llmFromConfig } from './llm.js';
import { mergeProbes, type Probe, planProbes } from './plan.js';
import { assertRewriteAvailable } from './rewrite.js';
import type { RecallInput, RecallResponse } from './schema.js';
import { autoWeights, type VectorAvailability } from './vector-signal.js';

type Result = RecallResponse['results'][number];
type Explain = Result['explain'];

/** Candidates per signal: enough that fusion can promote something either signal ranked low. */
const candidatesFor = (limit: number) => Math.max(limit * 5, 100);

/** Beyond this many filtered nodes the vector side over-fetches instead of listing ids. */
const MAX_ID_PREFILTER = 5000;

/** a scoped key's tag and kind limits (policy.ts `scopeFilter`), applied with the other filters */
type Scoped = { scope?: Parameters<typeof nodeFilterSql>[0]['scope'] };

function filterOf(input: RecallInput & Scoped) {
  return {
    scope: input.scope,
    namespace: input.namespace,
    kind: input.kinds,
    tag: input.tags,
    min_importance: input.min_importance,
    created_after: input.created_after,
    created_before: input.created_before,
  };
}

function allowedIds(ctx: Context, input: RecallInput, limit: number): string[] | undefined {
  const { where, params } = nodeFilterSql({ ...filterOf(input), namespace: undefined });
  if (where.length === 0) return undefined;
  if (input.namespace) {
    where.push('namespace = ?');
    params.push(input.namespace);
  }
  return (
    statement(ctx.db, `SELECT id FROM nodes WHERE ${where.join(' AND ')} LIMIT ?`).all(...params, limit) as {
      id: string;
    }[]
  ).map((r) => r.id);
}

/** The vector signal's candidates, filters applied; undefined (with a notice) when it fails. */
async function vectorCandidates(
  ctx: Context,
  input: RecallInput,
  signal: NonNullable<VectorAvailability['signal']>,
  text: string,
  n: number,
  notices: string[],
): Promise<{ id: string; score: number }[] | undefined> {
  const ids = allowedIds(ctx, input, MAX_ID_PREFILTER + 1);
  if (ids?.length === 0) return undefined;
  const prefilter = ids && ids.length <= MAX_ID_PREFILTER ? { nodeIds: ids } : {};
  try {
    let hits = await signal.search(text, {
      k: ids && !('nodeIds' in prefilter) ? n * 4 : n,
      ...(input.namespace ? { namespaces: [input.namespace] } : {}),
      ...prefilter,
    });
    if (ids && !('nodeIds' in prefilter)) {
      const allowed = new Set(allowedIds(ctx, input, Number.MAX_SAFE_INTEGER));
      hits = hits.filter((h) => allowed.has(h.id)).slice(0, n);
    }
    return hits.filter((h) => h.score > 0);
  } catch (err) {
    ctx.logger.warn({ err: (err as Error).message }, 'vector search failed; full text only');
    notices.push(`vector search failed (${(err as Error).message}): full text only`);
    return undefined;
  }
}

/**
 * "At least two of these three words": each pair of phrases joined by AND, the pairs by OR. FTS5
 * counts a phrase's hits only in the pairs a note matches, so a note holding two of the words
 * scores exactly its OR score, and a note holding all three twice that.
 */
function pairsOf(phrases?: readonly string[]): string | undefined {
  if (phrases?.length !== 3 || new Set(phrases).size !== 3) return undefined;
  const [a, b, c] = phrases;
  return `( ${a} AND ${b} ) OR ( ${a} AND ${c} ) OR ( ${b} AND ${c} )`;
}

/**
 * Full text's candidates. With `conjunctive_first` (decision 0008, amended): when at least a page
 * (`limit`) of notes holds every word, those notes are the list; else, for three words, the notes
 * holding at least two of them when there are a page of those. BM25 then scores only them instead
 * of every note holding any word, which a query of common words makes a large share of the vault.
 * Every score is the note's BM25 under the OR query.
 */
function textCandidates(
  ctx: Context,
  probe: Probe & { expression: string },
  input: RecallInput & Scoped,
  n: number,
  limit: number,
): { id: string; score: number }[] {
  const filter = filterOf(input);
  if (ctx.config.search.fulltext_candidates === 'conjunctive_first' && probe.conjunctive) {
    const all = fulltextCandidates(ctx, probe.conjunctive, filter, n);
    if (all.length >= limit) return all;
    const pairs = pairsOf(probe.phrases);
    if (pairs) {
      // the notes holding all three are all in `all` (fewer than n), with their OR scores
      const holdAll = new Set(all.map((h) => h.id));
      const two = fulltextCandidates(ctx, pairs, filter, n + all.length).filter((h) => !holdAll.has(h.id));
      if (all.length + two.length >= limit)
        return [...all, ...two].sort((x, y) => y.score - x.score).slice(0, n);
    }
  }
  return fulltextCandidates(ctx, probe.expression, filter, n);
}

/** As `expiredNodeIds` (knowledge/nodes/list.ts), with the statement kept prepared. */
function expiredIds(ctx: Context): Set<string> {
  const sql = 'SELECT id FROM nodes WHERE expires_at IS NOT NULL AND expires_at <= ?';
  return new Set(statement(ctx.db, sql, true).all(ctx.clock.now().toISOString()) as string[]);
}

type GraphExplain = NonNullable<Explain['graph']>;

/** Nodes near the strongest hits along links get `graph_boost_factor` × the hit's score ÷ hops. */
function graphBoost(
  ctx: Context,
  fused: Fused[],
  input: RecallInput,
  explain: Map<string, GraphExplain>,
  seeds: number,
) {
  const { graph_boost_factor: factor, default_traversal_depth: depth } = ctx.config.graph;
  if (factor === 0 || fused.length === 0) return fused;
  const graph = graphIndexFor(ctx.db);
  const byId = new Map(fused.map((f) => [f.id, f]));
  const added: Fused[] = [];
  for (const hit of fused.slice(0, seeds)) {
    for (const [id, hops] of graph.within(hit.id, depth)) {
      const boost = (factor * hit.score) / hops;
      const target = byId.get(id) ?? { id, score: 0, signals: {} };
      if (!byId.has(id)) {
        byId.set(id, target);
        added.push(target);
      }
      const prior = explain.get(id);
      if (!prior || prior.boost < boost) {
        target.score += boost - (prior?.boost ?? 0);
        explain.set(id, { via: hit.id, depth: hops, boost });
      }
    }
  }
  // nodes reached only through links must still pass the filters
  if (added.length) {
    const { where, params } = nodeFilterSql(filterOf(input));
    const ok = new Set(
      (
        statement(
          ctx.db,
          `SELECT id FROM nodes WHERE id IN (SELECT value FROM json_each(?)) ${where.length ? `AND ${where.join(' AND ')}` : ''}`,
        ).all(JSON.stringify(added.map((a) => a.id)), ...params) as { id: string }[]
      ).map((r) => r.id),
    );
    for (const a of added) if (!ok.has(a.id)) byId.delete(a.id);
  }
  return [...byId.values()].sort((a, b) => b.score - a.score);
}

function sourceOf(e: Explain): Result['match_source'] {
  if (e.fulltext && e.vector) return 'hybrid';
  if (e.vector) return 'vector';
  if (e.fulltext) return 'fulltext';
  return 'graph';
}

/**
 * Recall: full text (BM25), vectors and the graph together. Filters narrow every candidate list
 * before ranking; fusion follows `[search]` (weights per embedder when `fusion_weights = "auto"`);
 * scores are scaled so the best result is 1, then `min_score` and `limit` apply.
 */
export async function recall(
  ctx: Context,
  input: RecallInput & Scoped,
  vectors: VectorAvailability,
  llm: Complete | null = llmFromConfig(ctx.config),
): Promise<RecallResponse> {
  const s = ctx.config.search;
  const limit = Math.min(input.limit ?? s.default_limit, s.max_limit);
  const minScore = input.min_score ?? s.min_score;
  let strategy = input.strategy ?? s.default_strategy;
  const rewrite = input.rewrite ?? s.query_rewrite;
  assertRewriteAvailable(rewrite, llm !== null);
  const notices: string[] = [];
  const signal = vectors.signal;
  if ((strategy === 'vector' || strategy === 'hybrid') && !signal) {
    notices.push(vectors.notice ?? 'vectors are not available: full text only');
    strategy = 'fulltext';
  }

  const plan = await planProbes(ctx, input, { rewrite, strategy, llm, notices, filter: filterOf(input) });
  const n = candidatesFor(limit);
  const perProbe: Record<string, { id: string; score: number }[]>[] = [];
  for (const probe of plan.probes) {
    const lists: Record<string, { id: string; score: number }[]> = {};
    const vectorPart =
      (strategy === 'vector' || strategy === 'hybrid') && signal
        ? vectorCandidates(ctx, input, signal, probe.vectorText, n, notices)
        : undefined;
    // The vector search reaches LanceDB's own threads only after a few promise steps (embed, open
    // the table); the full-text query below is synchronous and would hold them back. One macrotask
    // lets every step run first, so both searches proceed at once on two cores.
    if (vectorPart && strategy !== 'vector') await new Promise((resolve) => setImmediate(resolve));
    if (strategy !== 'vector' && probe.expression) {
      lists.fulltext = textCandidates(ctx, { ...probe, expression: probe.expression }, input, n, limit);
    }
    const vectorHits = await vectorPart;
    if (vectorHits) lists.vector = vectorHits;
    perProbe.push(lists);
  }
  const lists = mergeProbes(perProbe, n);

  const weights =
    s.fusion_weights === 'auto' && signal
      ? autoWeights[signal.provider]
      : { vector: s.vector_weight, fulltext: s.fulltext_weight };
  let fused = fuse(lists, { mode: s.fusion === 'rrf' ? 'rrf' : 'weighted', weights, k: s.rrf_k });
  // vectors and links can still point at nodes past their expires_at: they are not recalled
  const expired = expiredIds(ctx);
  const live = (list: Fused[]) => (expired.size ? list.filter((f) => !expired.has(f.id)) : list);
  fused = live(fused);
  const viaGraph = new Map<string, GraphExplain>();
  if (strategy === 'graph' || strategy === 'hybrid')
    fused = live(graphBoost(ctx, fused, input, viaGraph, strategy === 'graph' ? 10 : 5));

  const best = fused[0]?.score ?? 0;
  const kept = fused
    .map((f) => ({ f, score: best > 0 ? f.score / best : 0 }))
    .filter((x) => x.score >= minScore)
    .slice(0, limit);
  const rows = statement(ctx.db, 'SELECT * FROM nodes WHERE id IN (SELECT value FROM json_each(?))').all(
    JSON.stringify(kept.map((k) => k.f.id)),
  ) as NodeRow[];
  const nodes = new Map(
    knowledgeStores(ctx.db)
      .nodes.hydrate(rows)
      .map((node) => [node.id, node]),
  );
  const results: Result[] = [];
  for (const { f, score } of kept) {
    const node = nodes.get(f.id);
    if (!node) continue;
    const graph = viaGraph.get(f.id);
    const explain: Explain = { ...f.signals, ...(graph ? { graph } : {}), fused: f.score };
    results.push({ node, score, match_source: sourceOf(explain), explain });
  }
  recordAccess(
    ctx,
    results.map((r) => r.node.id),
  );
  return {
    results,
    strategy,
    notices,
    query: { text: input.text, rewritten: plan.rewritten, embedder: signal?.embedder ?? null },
  };
}
