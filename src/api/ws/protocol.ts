import { z } from 'zod';
import type { ChangeEvent } from '../../core/events.js';
import { Namespace } from '../../knowledge/nodes/schema.js';

/** The events a client can subscribe to; `node.*`, `relationship.*` and `*` name several. */
export const eventNames = [
  'node.created',
  'node.updated',
  'node.deleted',
  'relationship.created',
  'relationship.deleted',
] as const;

const EventPattern = z
  .string()
  .refine(
    (p) =>
      p === '*' || p === 'node.*' || p === 'relationship.*' || (eventNames as readonly string[]).includes(p),
    {
      message: `one of ${eventNames.join(', ')}, node.*, relationship.* or *`,
    },
  );

/** What a client may send: one JSON object per text frame. */
export const ClientMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('auth'), token: z.string().min(1).max(8192) }).strict(),
  z
    .object({
      type: z.literal('subscribe'),
      events: z.array(EventPattern).min(1).max(16),
      namespaces: z.array(Namespace).max(64).optional(),
    })
    .strict(),
  z.object({ type: z.literal('unsubscribe'), events: z.array(EventPattern).max(16).optional() }).strict(),
  z.object({ type: z.literal('ping'), id: z.string().max(128).optional() }).strict(),
]);
export type ClientMessage = z.infer<typeof ClientMessage>;

/** Whether an event name is covered by one of the patterns. */
export function matches(patterns: ReadonlySet<string>, event: string): boolean {
  if (patterns.has('*') || patterns.has(event)) return true;
  const dot = event.indexOf('.');
  return dot > 0 && patterns.has(`${event.slice(0, dot)}.*`);
}

/** The event as a client sees it: internal fields (sequence, endpoint attributes) stay here. */
export function presentEvent(e: ChangeEvent): Record<string, unknown> {
  if (e.type.startsWith('node.')) {
    const n = e as Extract<ChangeEvent, { tags: string[] }>;
    return {
      type: 'event',
      event: n.type,
      data: { id: n.id, namespace: n.namespace, kind: n.kind, tags: n.tags, version: n.version, at: n.at },
    };
  }
  const r = e as Extract<ChangeEvent, { source_id: string | null }>;
  return {
    type: 'event',
    event: r.type,
    data: {
      id: r.id,
      namespace: r.namespace,
      kind: r.kind,
      source_id: r.source_id,
      target_id: r.target_id,
      at: r.at,
    },
  };
}
