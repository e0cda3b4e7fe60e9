import type { Database, Statement } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import { stopwords } from '../fulltext/stopwords.js';
import { fulltextCandidates } from '../fulltext/service.js';
import { statement } from '../fulltext/statements.js';
import type { nodeFilterSql } from '../../knowledge/nodes/list.js';
import { indexableText } from '../../knowledge/nodes/sealing.js';
import { totalUsage } from '../../security/quota.js';
import { fieldCodec } from '../../storage/sealed-fields.js';

type NodeFilter = Parameters<typeof nodeFilterSql>[0];
type StoredText = {
  id: string;
  title: string | null;
  content: string;
  metadata: string;
  sealed_key: number | null;
};

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;
/** unicode61's tokens: runs of letters, digits and private-use characters */
const TOKEN = /[\p{L}\p{N}\p{Co}]+/gu;
const LETTERS = /^\p{L}{3,}$/u;
/** a note's first characters stand for it in the feedback, so one huge note costs no more */
const MAX_CHARS = 20_000;

export interface ExpandOptions {
  /** feedback documents read: the best full-text matches of the query */
  docs: number;
  /** most words in the feedback model (RM1) kept for the expanded query */
  terms: number;
  /** share of the final query held by the original words; the feedback words get the rest */
  originalWeight: number;
  /** copies of the original expression: the unit in which added words are weighed */
  repeat: number;
  /** words in at least this share of the vault's notes are never added */
  maxDocShare: number;
  /**
   * P(q|d) ∝ exp(bm25 / (temperature × phrases of the query)): a longer query scores higher, so
   * its scores are spread by its length
   */
  temperature: number;
}

/** Measured on Cranfield, CISI and ADI (bench/quality.ts, docs/benchmarks.md). */
export const defaultExpandOptions: ExpandOptions = {
  docs: 10,
  terms: 30,
  originalWeight: 0.6,
  repeat: 4,
  maxDocShare: 0.5,
  temperature: 0.35,
};

interface Prf {
  insert: Statement;
  clear: Statement;
  instances: Statement;
  docCount: Statement;
}

/**
 * Temp tables of this connection (never written to the vault's file): a scratch FTS5 table with
 * the index's tokenizer, whose fts5vocab `instance` view tells how FTS5 stems each word, and an
 * fts5vocab `row` view of nodes_fts that gives a stem's document count.
 */
const prfOf = new WeakMap<Database, Prf>();
function prf(db: Database): Prf {
  let p = prfOf.get(db);
  if (p) return p;
  db.exec(`
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.hx_prf_words USING fts5 (w, tokenize = 'porter unicode61 remove_diacritics 2');
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.hx_prf_stems USING fts5vocab (temp, hx_prf_words, instance);
    CREATE VIRTUAL TABLE IF NOT EXISTS temp.hx_prf_vocab USING fts5vocab (main, nodes_fts, row);
  `);
  p = {
    insert: db.prepare('INSERT INTO temp.hx_prf_words (rowid, w) VALUES (1, ?)'),
    clear: db.prepare('DELETE FROM temp.hx_prf_words'),
    instances: db.prepare('SELECT term, "offset" AS o FROM temp.hx_prf_stems ORDER BY "offset"'),
    docCount: db.prepare('SELECT doc FROM temp.hx_prf_vocab WHERE term = ?').pluck(),
  };
  prfOf.set(db, p);
  return p;
}

/** Words FTS5 has stemmed before, kept per process (bounded). */
const stems = new Map<string, string>();
const MAX_STEMS = 100_000;

/**
 * FTS5's stem of each word, exactly as the index stores it: the words unknown so far go through
 * the scratch table in one row, one token each, read back in order.
 */
function stemAll(db: Database, words: Iterable<string>): Map<string, string> {
  const out = new Map<string, string>();
  const unknown: string[] = [];
  for (const w of words) {
    const s = stems.get(w);
    if (s !== undefined) out.set(w, s);
    else unknown.push(w);
  }
  if (unknown.length === 0) return out;
  const p = prf(db);
  p.insert.run(unknown.join(' '));
  const rows = p.instances.all() as { term: string; o: number }[];
  p.clear.run();
  if (stems.size + unknown.length > MAX_STEMS) stems.clear();
  // each word is letters only, so one token; if not, the word stands for itself
  const aligned = rows.length === unknown.length;
  unknown.forEach((w, i) => {
    const s = aligned ? rows[i]!.term : w;
    stems.set(w, s);
    out.set(w, s);
  });
  return out;
}

export interface Expansion {
  expression: string;
  /** the words added that the query did not already hold, heaviest first */
  added: string[];
  /** every word of the feedback model, its share of it and the copies it got in the expression */
  terms: { word: string; stem: string; weight: number; copies: number }[];
}

/**
 * Pseudo-relevance feedback, RM3 (Lavrenko & Croft; Abdul-Jaleel et al. 2004). The best full-text
 * matches of the query stand in for relevant notes: each word's weight in the feedback model is
 * the sum over them of P(w|d)·P(q|d), with P(q|d) the note's BM25 score as a share of the total
 * (RM1). Words are grouped by FTS5's own stem, so "flows" and "flow" are one; stop words and words
 * in `maxDocShare` or more of the vault are left out. The strongest `terms` words, the query's own
 * among them, share `1 - originalWeight` of the final query.
 *
 * FTS5 has no per-phrase weights, but bm25() sums per phrase: the original expression is repeated
 * `repeat` times and each feedback word by its weight in the same unit (a word whose share rounds
 * to no copy is dropped). Returns null when there is too little feedback to learn from.
 */
export function expandQuery(
  ctx: Context,
  expression: string,
  filter: NodeFilter,
  options: ExpandOptions = defaultExpandOptions,
): Expansion | null {
  const feedback = fulltextCandidates(ctx, expression, filter, options.docs);
  if (feedback.length < 2) return null;
  const codec = fieldCodec(ctx.db);
  const rows = statement(
    ctx.db,
    'SELECT id, title, content, metadata, sealed_key FROM nodes WHERE id IN (SELECT value FROM json_each(?))',
  ).all(JSON.stringify(feedback.map((f) => f.id))) as StoredText[];
  const textOf = new Map(
    rows.map((r) => {
      const t = indexableText(codec, r);
      return [r.id, `${t.title ?? ''} ${t.content}`.toLowerCase()];
    }),
  );
  // the words each note holds that could be added: letters only, three or more, no stop words
  const docs = feedback.flatMap((f) => {
    const text = textOf.get(f.id);
    if (text === undefined) return [];
    const words = (text.slice(0, MAX_CHARS).match(TOKEN) ?? []).filter(
      (w) => LETTERS.test(w) && !stopwords.has(w),
    );
    return words.length ? [{ score: Math.max(f.score, 0), words }] : [];
  });
  if (docs.length < 2) return null;
  const queryWords = (expression.match(/"(?:[^"]|"")*"/g) ?? []).map((q) =>
    q.slice(1, -1).replace(/""/g, '"').toLowerCase(),
  );
  const phrases = Math.max(queryWords.length, 1);
  // P(q|d): BM25 read as a log-likelihood, so the best notes dominate the feedback
  const top = Math.max(...docs.map((d) => d.score));
  for (const d of docs) d.score = Math.exp((d.score - top) / (options.temperature * phrases));
  const totalScore = docs.reduce((sum, d) => sum + d.score, 0);
  if (!(totalScore > 0)) return null;
  const distinct = new Set(docs.flatMap((d) => d.words));
  for (const w of queryWords) if (LETTERS.test(w)) distinct.add(w);
  const stemOf = stemAll(ctx.db, distinct);

  // RM1: sum over the feedback notes of P(w|d)·P(q|d), by stem; the commonest surface form speaks for it
  const weight = new Map<string, number>();
  const forms = new Map<string, Map<string, number>>();
  for (const d of docs) {
    const share = d.score / totalScore / d.words.length;
    for (const w of d.words) {
      const stem = stemOf.get(w) ?? w;
      weight.set(stem, (weight.get(stem) ?? 0) + share);
      const f = forms.get(stem) ?? new Map<string, number>();
      f.set(w, (f.get(w) ?? 0) + 1);
      forms.set(stem, f);
    }
  }
  const p = prf(ctx.db);
  const notes = Math.max(totalUsage(ctx.db), 1);
  const kept: { stem: string; weight: number }[] = [];
  for (const [stem, w] of [...weight].sort((a, b) => b[1] - a[1])) {
    if (kept.length === options.terms) break;
    // a word in most notes says nothing about this query (stop words of the vault's own)
    const df = (p.docCount.get(stem) as number | undefined) ?? 0;
    if (df / notes >= options.maxDocShare) continue;
    kept.push({ stem, weight: w });
  }
  const mass = kept.reduce((sum, t) => sum + t.weight, 0);
  if (mass <= 0) return null;

  // one copy of the original expression gives each of its phrases originalWeight / (phrases × repeat)
  const unit = options.originalWeight / (phrases * options.repeat);
  const said = new Set(queryWords.map((w) => stemOf.get(w) ?? w));
  const terms = kept.map((t) => {
    const share = t.weight / mass;
    const word = [...forms.get(t.stem)!].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))[0]![0];
    return {
      word,
      stem: t.stem,
      weight: share,
      // every kept word at least once: dropping the ones that round to nothing cost Cranfield 0.006
      copies: Math.max(1, Math.round(((1 - options.originalWeight) * share) / unit)),
    };
  });
  const extra = terms.flatMap((t) => Array<string>(t.copies).fill(quote(t.word)));
  const added = terms.filter((t) => !said.has(t.stem)).map((t) => t.word);
  if (added.length === 0) return null;
  const original = Array<string>(options.repeat).fill(`( ${expression} )`);
  return { expression: [...original, ...extra].join(' OR '), added, terms };
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
