import type { Context } from '../../core/context.js';
import { stopwords } from '../../search/fulltext/stopwords.js';

interface TagInput {
  title?: string | null | undefined;
  content: string;
  tags: readonly string[];
  namespace: string;
}

const WORD = /\p{L}[\p{L}\p{N}-]*/gu;
const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** Distinctive words: frequent here, rare in the vault (TF-IDF, document frequency from FTS5). */
function keywords(ctx: Context, input: TagInput, limit: number): string[] {
  const minLength = ctx.config.ai.auto_tagging_min_token_length;
  const title = (input.title ?? '').toLowerCase();
  const tf = new Map<string, number>();
  for (const w of `${title} ${input.content.toLowerCase()}`.match(WORD) ?? []) {
    const word = w.replace(/-+$/, '');
    if (word.length < minLength || stopwords.has(word)) continue;
    tf.set(word, (tf.get(word) ?? 0) + 1);
  }
  const total = (ctx.db.prepare('SELECT count(*) AS n FROM nodes').get() as { n: number }).n;
  const df = ctx.db.prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?');
  const inTitle = new Set(title.match(WORD) ?? []);
  const candidates = [...tf].sort((a, b) => b[1] - a[1]).slice(0, limit * 3);
  return candidates
    .filter(([word, count]) => count >= 2 || inTitle.has(word))
    .map(([word, count]) => {
      const n = (df.get(quote(word)) as { n: number }).n;
      return { word, score: count * (Math.log((total + 1) / (n + 1)) + 1) };
    })
    .sort((a, b) => b.score - a.score)
    .slice(0, limit)
    .map((k) => k.word);
}

/** Tags that the most similar existing nodes (BM25 on this node's keywords) agree on. */
function neighbourTags(ctx: Context, input: TagInput, terms: string[], seeds: number): string[] {
  if (terms.length === 0 || seeds === 0) return [];
  const rows = ctx.db
    .prepare(
      `SELECT t.tag AS tag, f.rank AS rank FROM (
         SELECT rowid, rank FROM nodes_fts WHERE nodes_fts MATCH ? AND +rowid IN (SELECT seq FROM nodes WHERE namespace = ?) ORDER BY rank LIMIT ?
       ) f JOIN nodes n ON n.seq = f.rowid JOIN node_tags t ON t.node_id = n.id`,
    )
    .all(terms.map(quote).join(' OR '), input.namespace, seeds) as { tag: string; rank: number }[];
  const votes = new Map<string, number>();
  for (const r of rows) votes.set(r.tag, (votes.get(r.tag) ?? 0) + 1);
  return [...votes]
    .filter(([, n]) => n >= 2)
    .sort((a, b) => b[1] - a[1])
    .map(([tag]) => tag);
}

/**
 * Tags to add to a new node when `[ai] auto_tagging_enabled`: first those its nearest neighbours
 * share (the user's own vocabulary), then its distinctive keywords. Never more than the configured
 * maxima, and never removes a tag the user gave.
 */
export function suggestTags(ctx: Context, input: TagInput): string[] {
  const ai = ctx.config.ai;
  const room = Math.min(
    ai.auto_tagging_max_generated_tags,
    ai.auto_tagging_max_total_tags - input.tags.length,
  );
  if (!ai.auto_tagging_enabled || room <= 0) return [];
  const have = new Set(input.tags.map((t) => t.toLowerCase()));
  const words = keywords(ctx, input, Math.max(room, 8));
  const out: string[] = [];
  for (const tag of [...neighbourTags(ctx, input, words, ai.auto_tagging_similarity_seed_limit), ...words]) {
    if (out.length >= room) break;
    if (have.has(tag.toLowerCase())) continue;
    have.add(tag.toLowerCase());
    out.push(tag);
  }
  return out;
}
