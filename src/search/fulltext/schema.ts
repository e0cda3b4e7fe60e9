import { z } from 'zod';
import { Namespace, NodeKind, NodeSchema, Tag } from '../../knowledge/nodes/schema.js';

const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

export const SearchQuery = z
  .object({
    q: z
      .string()
      .max(2000)
      .describe('words to find; "phrases", prefix*, AND/OR/NOT and title:/content:/tags: also work'),
    limit: z.coerce
      .number()
      .int()
      .min(1)
      .max(200)
      .optional()
      .describe('results to return (default [search] default_limit)'),
    namespace: Namespace.optional(),
    kind: csv.pipe(z.array(NodeKind)).optional().describe('one kind or a comma-separated list'),
    type: csv.pipe(z.array(NodeKind)).optional().describe('alias of kind (the original API)'),
    tag: csv.pipe(z.array(Tag)).optional().describe('results carry all of these tags'),
  })
  .strict();
export type SearchInput = z.output<typeof SearchQuery>;

export const SearchResultSchema = z.object({
  node: NodeSchema,
  score: z.number(),
  match_source: z.literal('fulltext'),
  snippet: z.string().describe('the best-matching passage, matches wrapped in <mark></mark>'),
});

export const SearchResponse = z.object({
  results: z.array(SearchResultSchema),
  query: z.object({ expression: z.string().nullable(), mode: z.enum(['natural', 'boolean']) }),
});
