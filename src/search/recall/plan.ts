import type { Context } from '../../core/context.js';
import { HelixError } from '../../core/errors.js';
import type { nodeFilterSql } from '../../knowledge/nodes/list.js';
import { totalUsage } from '../../security/quota.js';
import { buildFtsQuery } from '../fulltext/query.js';
import type { Complete } from './llm.js';
import { llmDecomposition, llmExpansion, llmHypotheticalDocument } from './llm-rewrite.js';
import { expandQuery } from './rewrite.js';
import type { RecallInput } from './schema.js';

type NodeFilter = Parameters<typeof nodeFilterSql>[0];

/** One pass of candidate generation: what full text matches and what the vector side embeds. */
export interface Probe {
  expression: string | null;
  conjunctive?: string;
  vectorText: string;
  /** typed as plain words, not AND/OR/NOT syntax: only such a query is expanded unasked */
  natural?: boolean;
  /** a natural query's phrases (see FtsQuery) */
  phrases?: string[];
}

export interface Plan {
  probes: Probe[];
  rewritten: string | null;
}

const quote = (s: string) => `"${s.replace(/"/g, '""')}"`;

function probeOf(text: string): Probe {
  const fts = buildFtsQuery(text);
  if (fts.problem) throw new HelixError('invalid_query', `text: ${fts.problem}`, { field: 'text' });
  return {
    expression: fts.expression,
    ...(fts.conjunctive ? { conjunctive: fts.conjunctive } : {}),
    vectorText: text,
    natural: fts.mode === 'natural',
    ...(fts.phrases ? { phrases: fts.phrases } : {}),
  };
}

const failed = (what: string, err: unknown) =>
  `the language model could not ${what} (${(err as Error).message})`;

/**
 * Whether `auto` expands: the expansion reads the best matches and runs an OR of ~30 more words,
 * so its cost grows with the vault (+19 ms p50 at 10k notes, decision 0012).
 */
const smallVault = (ctx: Context) => totalUsage(ctx.db) <= ctx.config.search.auto_expand_max_nodes;

/**
 * Turns the request and its `rewrite` into probes. `expand` asks the model for related terms when
 * one is configured, else mines the vault's own best matches (pseudo-relevance feedback, RM3);
 * `auto` does the latter for plain-word queries while the vault is small, never asking a model;
 * `decompose` searches each sub-question and the original; `hyde` embeds a passage the model wrote
 * instead of the question. A model that fails or times out never fails the recall: it falls back
 * to the plain query (or the vault's expansion) and says so in `notices`.
 */
export async function planProbes(
  ctx: Context,
  input: RecallInput & { scope?: NodeFilter['scope'] },
  options: { rewrite: string; strategy: string; llm: Complete | null; notices: string[]; filter: NodeFilter },
): Promise<Plan> {
  const { rewrite, strategy, llm, notices, filter } = options;
  const base = probeOf(input.text);
  if (!base.expression && strategy === 'fulltext') return { probes: [base], rewritten: null };

  if (rewrite === 'decompose' && llm) {
    try {
      const parts = await llmDecomposition(llm, input.text);
      const probes = parts.map(probeOf).filter((p) => p.expression);
      if (probes.length) return { probes: [base, ...probes], rewritten: parts.join(' | ') };
      notices.push('the language model returned no sub-questions: searched the question as asked');
    } catch (err) {
      notices.push(`${failed('decompose the question', err)}: searched it as asked`);
    }
    return { probes: [base], rewritten: null };
  }

  if (rewrite === 'hyde' && llm) {
    try {
      const passage = await llmHypotheticalDocument(llm, input.text);
      if (passage) return { probes: [{ ...base, vectorText: passage }], rewritten: passage };
    } catch (err) {
      notices.push(`${failed('write a hypothetical answer', err)}: searched the question as asked`);
    }
    return { probes: [base], rewritten: null };
  }

  const expand = rewrite === 'expand' || (rewrite === 'auto' && base.natural === true && smallVault(ctx));
  if (expand && base.expression && strategy !== 'vector') {
    if (llm && rewrite === 'expand') {
      try {
        const terms = await llmExpansion(llm, input.text);
        if (terms.length) {
          // the original words twice, as in the vault's expansion, so added terms never outweigh them
          const expression = `( ${base.expression} ) OR ( ${base.expression} ) OR ${terms.map(quote).join(' OR ')}`;
          return {
            probes: [{ expression, vectorText: input.text }],
            rewritten: `${input.text} ${terms.join(' ')}`,
          };
        }
      } catch (err) {
        notices.push(`${failed('expand the query', err)}: expanded from the vault instead`);
      }
    }
    const expanded = expandQuery(ctx, base.expression, filter);
    if (expanded)
      return {
        probes: [{ expression: expanded.expression, vectorText: input.text }],
        rewritten: `${input.text} ${expanded.added.join(' ')}`,
      };
  }
  return { probes: [base], rewritten: null };
}

/**
 * Candidates of several probes as one list per signal: each probe's scores are scaled to its best
 * hit, so a sub-question with few strong matches counts as much as one with many; a node found by
 * several probes keeps its best.
 */
export function mergeProbes(
  perProbe: Record<string, { id: string; score: number }[]>[],
  n: number,
): Record<string, { id: string; score: number }[]> {
  if (perProbe.length === 1) return perProbe[0]!;
  const merged: Record<string, Map<string, number>> = {};
  for (const lists of perProbe) {
    for (const [signal, list] of Object.entries(lists)) {
      const best = list[0]?.score || 1;
      merged[signal] ??= new Map();
      const into = merged[signal];
      for (const hit of list) into.set(hit.id, Math.max(into.get(hit.id) ?? 0, hit.score / best));
    }
  }
  return Object.fromEntries(
    Object.entries(merged).map(([signal, scores]) => [
      signal,
      [...scores]
        .map(([id, score]) => ({ id, score }))
        .sort((a, b) => b.score - a.score)
        .slice(0, n),
    ]),
  );
}
