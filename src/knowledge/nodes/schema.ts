import { z } from 'zod';

export const nodeKinds = [
  'fact',
  'task',
  'event',
  'decision',
  'preference',
  'entity',
  'code_snippet',
  'project',
  'conversation',
  'procedure',
  'observation',
  'bookmark',
  'template',
  'saved_view',
  'proposal',
] as const;

export const NodeKind = z.enum(nodeKinds).describe('what the node is');
export type NodeKind = z.infer<typeof NodeKind>;

export const Namespace = z
  .string()
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/,
    'letters, digits, _ . - (at most 64, starting with a letter or digit)',
  )
  .describe('namespace the node lives in');

export const Tag = z
  .string()
  .trim()
  .transform((t) => t.replace(/^#/, ''))
  .pipe(
    z
      .string()
      .min(1, 'empty tag')
      .max(128)
      .regex(/^[^\s,]+$/, 'a tag has no spaces or commas'),
  );

export const IsoTimestamp = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());

const Tags = z.array(Tag).max(256).describe('tags (case-insensitive, without #)');
const Metadata = z
  .record(z.string(), z.unknown())
  .describe('free-form JSON object (task_status, task_due, …)');
const Importance = z.number().min(0).max(1).describe('0..1, default 0.5');

export const CreateNodeBody = z
  .object({
    kind: NodeKind.default('fact'),
    title: z.string().max(1000).nullish(),
    content: z.string().describe('markdown content'),
    source: z.string().max(4096).nullish().describe('URL or origin'),
    namespace: Namespace.optional(),
    tags: Tags.default([]),
    importance: Importance.default(0.5),
    metadata: Metadata.default({}),
    expires_at: IsoTimestamp.nullish(),
  })
  .strict();
export type CreateNodeInput = z.input<typeof CreateNodeBody>;

export const UpdateNodeBody = z
  .object({
    kind: NodeKind.optional(),
    title: z.string().max(1000).nullish(),
    content: z.string().optional(),
    source: z.string().max(4096).nullish(),
    namespace: Namespace.optional(),
    tags: Tags.optional(),
    importance: Importance.optional(),
    metadata: Metadata.optional(),
    expires_at: IsoTimestamp.nullish(),
    expected_version: z
      .number()
      .int()
      .min(1)
      .optional()
      .describe('refuse the update (409) unless the node is at this version'),
  })
  .strict();
export type UpdateNodeInput = z.input<typeof UpdateNodeBody>;

export const NodeSchema = z.object({
  id: z.string(),
  kind: NodeKind,
  title: z.string().nullable(),
  content: z.string(),
  source: z.string().nullable(),
  namespace: z.string(),
  tags: z.array(z.string()),
  importance: z.number(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
  updated_at: z.string(),
  last_accessed_at: z.string().nullable(),
  access_count: z.number().int(),
  version: z.number().int(),
  expires_at: z.string().nullable(),
});
export type KnowledgeNode = z.infer<typeof NodeSchema>;

/** The fields a version records and a restore puts back. */
export const versionedFields = [
  'kind',
  'title',
  'content',
  'source',
  'namespace',
  'tags',
  'importance',
  'metadata',
  'expires_at',
] as const;
export type VersionedField = (typeof versionedFields)[number];

const csv = z
  .union([z.string(), z.array(z.string())])
  .transform((v) => (Array.isArray(v) ? v : v.split(',')).map((s) => s.trim()).filter(Boolean));

export const ListNodesQuery = z
  .object({
    namespace: Namespace.optional(),
    kind: csv.pipe(z.array(NodeKind)).optional().describe('one kind or a comma-separated list'),
    tag: csv.pipe(z.array(Tag)).optional().describe('nodes carrying all of these tags'),
    created_after: IsoTimestamp.optional(),
    created_before: IsoTimestamp.optional(),
    limit: z.coerce.number().int().min(1).max(1000).default(50),
    cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
  })
  .strict();
export type ListNodesFilter = z.input<typeof ListNodesQuery>;
