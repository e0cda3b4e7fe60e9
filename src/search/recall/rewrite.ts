import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import { stopwords } from '../fulltext/stopwords.js';
import { fulltextCandidates } from '../fulltext/service.js';
import type { nodeFilterSql } from '../../knowledge/nodes/list.js';
import { indexableText } from '../../knowledge/nodes/sealing.js';
import { fieldCodec } from '../../storage/sealed-fields.js';

type NodeFilter = Parameters<typeof nodeFilterSql>[0];
type StoredText = {
  id: string;
  title: string | null;
  content: string;
  metadata: string;
  sealed_key: number | null;
};

const WORD = /\p{L}{3,}/gu;
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

export interface ExpandOptions {
  /** feedback documents read */
  docs: number;
  /** words added */
  terms: number;
}

/**
 * Pseudo-relevance feedback (RM3-style): the words that dominate the best full-text matches, and
 * that the query did not say, are added to it. The original words are repeated so they keep twice
 * the weight of any added word (bm25() sums per phrase). Returns the new FTS5 expression or null.
 */
export function expandQuery(
  ctx: Context,
  expression: string,
  queryWords: readonly string[],
  filter: NodeFilter,
  options: ExpandOptions = { docs: 8, terms: 8 },
): { expression: string; added: string[] } | null {
  const feedback = fulltextCandidates(ctx, expression, filter, options.docs);
  if (feedback.length < 2) return null;
  const best = feedback[0]!.score || 1;
  const codec = fieldCodec(ctx.db);
  const contents = (
    ctx.db
      .prepare(
        'SELECT id, title, content, metadata, sealed_key FROM nodes WHERE id IN (SELECT value FROM json_each(?))',
      )
      .all(JSON.stringify(feedback.map((f) => f.id))) as StoredText[]
  ).map((r) => {
    const t = indexableText(codec, r);
    return { id: r.id, text: `${t.title ?? ''} ${t.content}` };
  });
  const weightOf = new Map(feedback.map((f) => [f.id, f.score / best]));
  const said = new Set(queryWords.map((w) => w.toLowerCase()));
  const mass = new Map<string, number>();
  for (const doc of contents) {
    const words = (doc.text.toLowerCase().match(WORD) ?? []).filter((w) => !stopwords.has(w));
    const w = weightOf.get(doc.id) ?? 0;
    for (const word of words) if (!said.has(word)) mass.set(word, (mass.get(word) ?? 0) + w / words.length);
  }
  const total = Math.max((ctx.db.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n, 1);
  const df = ctx.db.prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?');
  const scored = [...mass]
    .sort((a, b) => b[1] - a[1])
    .slice(0, options.terms * 4)
    .map(([word, m]) => {
      const n = (df.get(quote(word)) as { n: number }).n;
      // words in most documents say nothing about this query
      return { word, score: n / total > 0.2 ? 0 : m * Math.log(total / (n + 1)) };
    })
    .filter((t) => t.score > 0)
    .sort((a, b) => b.score - a.score)
    .slice(0, options.terms)
    .map((t) => t.word);
  if (scored.length === 0) return null;
  return {
    expression: `( ${expression} ) OR ( ${expression} ) OR ${scored.map(quote).join(' OR ')}`,
    added: scored,
  };
}

/** `decompose` and `hyde` need a language model; without one they are a clear 400. */
export function assertRewriteAvailable(rewrite: string, haveModel: boolean): void {
  if (haveModel || (rewrite !== 'decompose' && rewrite !== 'hyde')) return;
  throw new HelixError(
    'validation_error',
    `rewrite: ${rewrite} needs a language model: set [llm] enabled = true (HELIX_LLM_ENABLED=true) with base_url and model; use expand or none`,
    { field: 'rewrite' },
  );
}
