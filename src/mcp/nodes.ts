import type { Context } from '../core/context.js';
import { HelixError } from '../core/errors.js';
import type { KnowledgeNode } from '../knowledge/nodes/schema.js';
import { getNode } from '../knowledge/nodes/service.js';
import type { NodeRow } from '../knowledge/nodes/store.js';
import { knowledgeStores } from '../knowledge/stores.js';
import { authorizeNode } from '../security/policy.js';
import type { Principal } from '../security/principal.js';
import { type LinkRef, titleOf } from './format.js';
import { visible } from './scope.js';

/** A node the caller may read; one outside its scope is "not found", exactly as on REST. */
export function readableNode(ctx: Context, p: Principal, id: string): KnowledgeNode {
  const node = getNode(ctx, id);
  authorizeNode(p, 'read', node);
  return node;
}

export function hydrateIds(ctx: Context, ids: readonly string[]): Map<string, KnowledgeNode> {
  if (ids.length === 0) return new Map();
  const rows = ctx.db
    .prepare('SELECT * FROM nodes WHERE id IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(ids)) as NodeRow[];
  return new Map(
    knowledgeStores(ctx.db)
      .nodes.hydrate(rows)
      .map((n) => [n.id, n]),
  );
}

/** Outgoing links and backlinks of a node, only to nodes the caller may see, at most `max` each. */
export function linksOf(
  ctx: Context,
  p: Principal,
  id: string,
  max = 20,
): { links: LinkRef[]; backlinks: LinkRef[] } {
  const edges = knowledgeStores(ctx.db).relationships.edgesOf(id);
  const others = hydrateIds(
    ctx,
    edges.map((e) => (e.from_node === id ? e.to_node : e.from_node)),
  );
  const links: LinkRef[] = [];
  const backlinks: LinkRef[] = [];
  for (const e of edges) {
    const out = e.from_node === id;
    const other = others.get(out ? e.to_node : e.from_node);
    if (!other || !visible(p, other)) continue;
    const list = out ? links : backlinks;
    if (list.length < max)
      list.push({ id: other.id, title: titleOf(other), kind: other.kind, relation: e.kind });
  }
  return { links, backlinks };
}

export const noSuchKind = () =>
  new HelixError('forbidden', 'kind: none of the requested kinds is allowed for this key', { field: 'kind' });
