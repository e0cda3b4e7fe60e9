import { z } from 'zod';
import { IsoTimestamp, Namespace, NodeKind, Tag } from '../nodes/schema.js';
import { RelationshipKind } from '../relationships/schema.js';

/**
 * The export format, version 1: JSON Lines. The first line is a header; then one line per node
 * (its tags inside it), then one per relationship. Documented in docs/export-format.md.
 */
export const EXPORT_FORMAT = 'helix-export';
export const EXPORT_FORMAT_VERSION = 1;

export const HeaderRecord = z.object({
  type: z.literal('header'),
  format: z.literal(EXPORT_FORMAT),
  format_version: z.number().int().min(1),
  exported_at: z.string().optional(),
  helix_version: z.string().optional(),
});

export const NodeRecord = z.object({
  type: z.literal('node'),
  id: z.uuid(),
  kind: NodeKind,
  title: z.string().max(1000).nullish(),
  content: z.string(),
  source: z.string().max(4096).nullish(),
  namespace: Namespace.default('default'),
  tags: z.array(Tag).max(256).default([]),
  importance: z.number().min(0).max(1).default(0.5),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: IsoTimestamp.optional(),
  updated_at: IsoTimestamp.optional(),
  expires_at: IsoTimestamp.nullish(),
  // informational fields of an export; an import recomputes them
  version: z.number().int().optional(),
  access_count: z.number().int().optional(),
  last_accessed_at: z.string().nullish(),
});
export type NodeRecord = z.output<typeof NodeRecord>;

export const RelationshipRecord = z.object({
  type: z.literal('relationship'),
  id: z.uuid(),
  from_node: z.uuid(),
  to_node: z.uuid(),
  kind: RelationshipKind,
  weight: z.number().min(0).max(1000).default(1),
  metadata: z.record(z.string(), z.unknown()).default({}),
  created_at: IsoTimestamp.optional(),
});
export type RelationshipRecord = z.output<typeof RelationshipRecord>;

export const ExportRecord = z.discriminatedUnion('type', [HeaderRecord, NodeRecord, RelationshipRecord]);
export type ExportRecordInput = z.input<typeof ExportRecord>;
