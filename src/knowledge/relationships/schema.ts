import { z } from 'zod';

export const relationshipKinds = [
  'relates_to',
  'depends_on',
  'derived_from',
  'supersedes',
  'contradicts',
  'part_of',
  'contains',
  'references',
  'similar_to',
  'follows_from',
] as const;

export const RelationshipKind = z.enum(relationshipKinds);
export type RelationshipKind = z.infer<typeof RelationshipKind>;

export const CreateRelationshipBody = z
  .object({
    from_node: z.uuid().describe('source node id'),
    to_node: z.uuid().describe('target node id'),
    kind: RelationshipKind.default('relates_to'),
    weight: z.number().min(0).max(1000).default(1.0),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CreateRelationship = z.output<typeof CreateRelationshipBody>;

export const RelationshipSchema = z.object({
  id: z.string(),
  from_node: z.string(),
  to_node: z.string(),
  kind: RelationshipKind,
  weight: z.number(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type Relationship = z.infer<typeof RelationshipSchema>;

export const NeighborsQuery = z
  .object({
    depth: z.coerce
      .number()
      .int()
      .min(1)
      .max(10)
      .optional()
      .describe('hops to follow (default [graph] default_traversal_depth)'),
    kind: z
      .string()
      .transform((v) =>
        v
          .split(',')
          .map((s) => s.trim())
          .filter(Boolean),
      )
      .pipe(z.array(RelationshipKind))
      .optional()
      .describe('only follow these relationship kinds (comma-separated)'),
    direction: z.enum(['out', 'in', 'both']).default('both'),
    limit: z.coerce.number().int().min(1).max(1000).default(100),
  })
  .strict();
export type NeighborsFilter = z.output<typeof NeighborsQuery>;
