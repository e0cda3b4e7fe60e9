import type { Context } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { notFound } from '../../core/errors.js';
import { inTransaction } from '../../storage/database.js';
import type { KnowledgeNode } from '../nodes/schema.js';
import { applyChangesTx, diffNode } from '../nodes/service.js';
import { rowToNode } from '../nodes/store.js';
import { knowledgeStores } from '../stores.js';
import type { NodeVersion } from './store.js';

const isVersionCursor = (v: unknown): v is { v: number } => typeof (v as { v?: unknown })?.v === 'number';

export function listVersions(ctx: Context, nodeId: string, limit: number, cursor?: string) {
  const { nodes, versions } = knowledgeStores(ctx.db);
  if (!nodes.get(nodeId)) throw notFound('node', nodeId);
  const before = cursor ? decodeCursor(cursor, isVersionCursor).v : undefined;
  const rows = versions.list(nodeId, before, limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, next_cursor: rows.length > limit && last ? encodeCursor({ v: last.version }) : null };
}

/** The node as it was at `version`: the current state with every newer change undone. */
function stateAt(current: KnowledgeNode, newer: NodeVersion[], version: number): KnowledgeNode {
  const state: Record<string, unknown> = { ...current };
  for (const v of newer)
    for (const [field, change] of Object.entries(v.changes)) state[field] = change.before;
  return { ...(state as KnowledgeNode), version };
}

export function getVersion(
  ctx: Context,
  nodeId: string,
  versionId: string,
): NodeVersion & { state: KnowledgeNode } {
  const { nodes, versions } = knowledgeStores(ctx.db);
  const row = nodes.get(nodeId);
  if (!row) throw notFound('node', nodeId);
  const version = versions.get(nodeId, versionId);
  if (!version) throw notFound('version', versionId);
  const current = rowToNode(row, nodes.tagsOf(nodeId));
  return {
    ...version,
    state: stateAt(current, versions.newerThan(nodeId, version.version), version.version),
  };
}

/** Puts the node back as it was at a version; the restore is itself a new version. */
export function restoreVersion(ctx: Context, nodeId: string, versionId: string): KnowledgeNode {
  const { nodes, versions } = knowledgeStores(ctx.db);
  let fields: string[] = [];
  const node = inTransaction(ctx.db, () => {
    const row = nodes.get(nodeId);
    if (!row) throw notFound('node', nodeId);
    const version = versions.get(nodeId, versionId);
    if (!version) throw notFound('version', versionId);
    const current = rowToNode(row, nodes.tagsOf(nodeId));
    const target = stateAt(current, versions.newerThan(nodeId, version.version), version.version);
    const changes = diffNode(current, target);
    fields = Object.keys(changes);
    return fields.length === 0 ? current : applyChangesTx(ctx, row, current, changes, 'restore');
  });
  if (fields.length > 0) {
    ctx.bus.emit('node.updated', {
      id: nodeId,
      namespace: node.namespace,
      kind: node.kind,
      version: node.version,
      fields,
    });
  }
  return node;
}
