import { z } from 'zod';
import { IsoTimestamp, Namespace, NodeKind, NodeSchema, Tag } from '../../knowledge/nodes/schema.js';

export const recallStrategies = ['vector', 'fulltext', 'hybrid', 'graph'] as const;
export const rewriteStrategies = ['none', 'expand', 'decompose', 'hyde', 'auto'] as const;

export const RecallBody = z
  .object({
    text: z.string().trim().min(1).max(4000).describe('what you are looking for, in your own words'),
    strategy: z.enum(recallStrategies).optional().describe('default [search] default_strategy (hybrid)'),
    limit: z.number().int().min(1).max(200).optional(),
    min_score: z
      .number()
      .min(0)
      .max(1)
      .optional()
      .describe('drop results scoring below this (scores are 0..1, best = 1)'),
    namespace: Namespace.optional(),
    kinds: z.array(NodeKind).max(20).optional(),
    tags: z.array(Tag).max(20).optional().describe('results carry all of these tags'),
    min_importance: z.number().min(0).max(1).optional(),
    created_after: IsoTimestamp.optional(),
    created_before: IsoTimestamp.optional(),
    rewrite: z
      .enum(rewriteStrategies)
      .optional()
      .describe('query rewriting (default [search] query_rewrite)'),
  })
  .strict();
export type RecallInput = z.output<typeof RecallBody>;

const Signal = z.object({ rank: z.number().int(), score: z.number() });
export const RecallExplain = z.object({
  fulltext: Signal.optional(),
  vector: Signal.optional(),
  graph: z.object({ via: z.string(), depth: z.number().int(), boost: z.number() }).optional(),
  fused: z.number(),
});

export const RecallResult = z.object({
  node: NodeSchema,
  score: z.number(),
  match_source: z.enum(['fulltext', 'vector', 'hybrid', 'graph']),
  explain: RecallExplain,
});

export const RecallResponse = z.object({
  results: z.array(RecallResult),
  strategy: z.enum(recallStrategies).describe('the strategy actually used'),
  notices: z
    .array(z.string())
    .describe('why a signal was left out (vectors still filling, vector store unavailable)'),
  query: z.object({ text: z.string(), rewritten: z.string().nullable(), embedder: z.string().nullable() }),
});
export type RecallResponse = z.infer<typeof RecallResponse>;
