import { isoNow } from '../../core/clock.js';
import type { Context } from '../../core/context.js';
import { HelixError, invalid, notFound } from '../../core/errors.js';
import { inTransaction } from '../../storage/database.js';
import type { KnowledgeNode } from '../nodes/schema.js';
import { knowledgeStores } from '../stores.js';
import type { CreateRelationship, NeighborsFilter, Relationship } from './schema.js';
import { type RelationshipRow, rowToRelationship } from './store.js';

export interface InsertRelationshipOptions {
  id?: string;
  created_at?: string;
  /** return the existing edge instead of failing when (from, to, kind) already exists */
  reuseExisting?: boolean;
}

/** Inserts an edge and its change-feed entry. Call inside a transaction. */
export function insertRelationshipTx(
  ctx: Context,
  input: CreateRelationship,
  options: InsertRelationshipOptions = {},
): { relationship: Relationship; created: boolean; namespace: string } {
  const { nodes, relationships } = knowledgeStores(ctx.db);
  if (input.from_node === input.to_node) throw invalid('to_node', 'a node cannot be related to itself');
  const from = nodes.get(input.from_node);
  if (!from)
    throw new HelixError('not_found', `from_node ${input.from_node} not found`, { field: 'from_node' });
  if (!nodes.get(input.to_node))
    throw new HelixError('not_found', `to_node ${input.to_node} not found`, { field: 'to_node' });
  const existing = relationships.find(input.from_node, input.to_node, input.kind);
  if (existing) {
    if (options.reuseExisting)
      return { relationship: rowToRelationship(existing), created: false, namespace: from.namespace };
    throw new HelixError(
      'conflict',
      `a ${input.kind} relationship from ${input.from_node} to ${input.to_node} already exists`,
      {
        existing_id: existing.id,
      },
    );
  }
  const now = isoNow(ctx.clock);
  const row: RelationshipRow = {
    id: options.id ?? ctx.ids.next(),
    from_node: input.from_node,
    to_node: input.to_node,
    kind: input.kind,
    weight: input.weight,
    metadata: JSON.stringify(input.metadata),
    created_at: options.created_at ?? now,
  };
  relationships.insert(row);
  nodes.recordChange('relationship', row.id, 'create', from.namespace, null, now);
  return { relationship: rowToRelationship(row), created: true, namespace: from.namespace };
}

export function createRelationship(ctx: Context, input: CreateRelationship): Relationship {
  const { relationship, namespace } = inTransaction(ctx.db, () => insertRelationshipTx(ctx, input));
  const { id, from_node, to_node, kind } = relationship;
  ctx.bus.emit('relationship.created', { id, from_node, to_node, kind, namespace });
  return relationship;
}

export function getRelationship(ctx: Context, id: string): Relationship {
  const row = knowledgeStores(ctx.db).relationships.get(id);
  if (!row) throw notFound('relationship', id);
  return rowToRelationship(row);
}

export function deleteRelationship(ctx: Context, id: string): void {
  const { nodes, relationships } = knowledgeStores(ctx.db);
  const { row, namespace } = inTransaction(ctx.db, () => {
    const row = relationships.get(id);
    if (!row) throw notFound('relationship', id);
    const namespace = nodes.get(row.from_node)?.namespace ?? 'default';
    relationships.delete(id);
    nodes.recordChange('relationship', id, 'delete', namespace, null, isoNow(ctx.clock));
    return { row, namespace };
  });
  ctx.bus.emit('relationship.deleted', {
    id,
    from_node: row.from_node,
    to_node: row.to_node,
    kind: row.kind,
    namespace,
  });
}

export interface Neighbor {
  node: KnowledgeNode;
  depth: number;
  direction: 'out' | 'in';
  relationship: Relationship;
}

/** Breadth-first walk along relationships; each node appears once, at its shortest depth. */
export function neighbors(
  ctx: Context,
  id: string,
  filter: NeighborsFilter,
): { node_id: string; depth: number; neighbors: Neighbor[] } {
  const { nodes, relationships } = knowledgeStores(ctx.db);
  if (!nodes.get(id)) throw notFound('node', id);
  const depth = Math.min(
    filter.depth ?? ctx.config.graph.default_traversal_depth,
    ctx.config.graph.max_traversal_depth,
  );
  const kinds = filter.kind?.length ? new Set<string>(filter.kind) : null;
  const seen = new Set([id]);
  const found: { id: string; depth: number; direction: 'out' | 'in'; edge: RelationshipRow }[] = [];
  let frontier = [id];
  for (let d = 1; d <= depth && frontier.length > 0 && found.length < filter.limit; d++) {
    const next: string[] = [];
    for (const current of frontier) {
      for (const edge of relationships.edgesOf(current)) {
        if (kinds && !kinds.has(edge.kind)) continue;
        const direction = edge.from_node === current ? 'out' : 'in';
        if (filter.direction !== 'both' && filter.direction !== direction) continue;
        const other = direction === 'out' ? edge.to_node : edge.from_node;
        if (seen.has(other)) continue;
        seen.add(other);
        next.push(other);
        found.push({ id: other, depth: d, direction, edge });
        if (found.length >= filter.limit) break;
      }
      if (found.length >= filter.limit) break;
    }
    frontier = next;
  }
  const hydrated = new Map(
    nodes
      .hydrate(found.map((f) => nodes.get(f.id)).filter((r): r is NonNullable<typeof r> => r !== undefined))
      .map((n) => [n.id, n]),
  );
  return {
    node_id: id,
    depth,
    neighbors: found
      .filter((f) => hydrated.has(f.id))
      .map((f) => ({
        node: hydrated.get(f.id)!,
        depth: f.depth,
        direction: f.direction,
        relationship: rowToRelationship(f.edge),
      })),
  };
}

/** Nodes that point at this one, with the edge that does. */
export function backlinks(
  ctx: Context,
  id: string,
): { node_id: string; items: { node: KnowledgeNode; relationship: Relationship }[] } {
  const { nodes, relationships } = knowledgeStores(ctx.db);
  if (!nodes.get(id)) throw notFound('node', id);
  const edges = relationships.incoming(id);
  const froms = new Map(
    nodes
      .hydrate(edges.map((e) => nodes.get(e.from_node)).filter((r): r is NonNullable<typeof r> => !!r))
      .map((n) => [n.id, n]),
  );
  return {
    node_id: id,
    items: edges
      .filter((e) => froms.has(e.from_node))
      .map((e) => ({ node: froms.get(e.from_node)!, relationship: rowToRelationship(e) })),
  };
}
