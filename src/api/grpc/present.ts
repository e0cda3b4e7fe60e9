import type { KnowledgeNode } from '../../knowledge/nodes/schema.js';
import type { Relationship } from '../../knowledge/relationships/schema.js';
import { toStruct } from './struct.js';

/** A node as the proto's `Node`: the REST fields, nulls left out (absent optional fields). */
export const nodeMessage = (n: KnowledgeNode) => ({ ...n, metadata: toStruct(n.metadata) });

export const relationshipMessage = (r: Relationship) => ({ ...r, metadata: toStruct(r.metadata) });

/** Repeated fields arrive absent when empty; the REST query schemas take comma-separated text. */
export const csv = (values: string[] | undefined) => (values?.length ? values.join(',') : undefined);

/** Drops absent fields, so strict zod objects see only what the client sent. */
export function defined<T extends Record<string, unknown>>(obj: T): Partial<T> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(obj)) if (v !== undefined && v !== null) out[k] = v;
  return out as Partial<T>;
}
