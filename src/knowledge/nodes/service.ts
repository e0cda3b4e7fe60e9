import type { z } from 'zod';
import { isoNow } from '../../core/clock.js';
import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { HelixEvents } from '../../core/events.js';
import { stableJson } from '../../core/stable-json.js';
import { checkNamespaceQuota } from '../../security/quota.js';
import { inTransaction } from '../../storage/database.js';
import { resolvePendingTx, syncLinksTx } from '../linking/sync-links.js';
import { knowledgeStores } from '../stores.js';
import { suggestTags } from '../tagging/auto-tag.js';
import type { Changes, VersionOperation } from '../versions/store.js';
import type { CreateNodeBody, KnowledgeNode, UpdateNodeBody, VersionedField } from './schema.js';
import { versionedFields } from './schema.js';
import { type NodeRow, rowToNode } from './store.js';

export type CreateNode = z.output<typeof CreateNodeBody>;
export type UpdateNode = z.output<typeof UpdateNodeBody>;
type Pending = { [E in keyof HelixEvents]: [E, HelixEvents[E]] }[keyof HelixEvents];

/** Tags compare case-insensitively; the first spelling wins. */
export function normalizeTags(tags: readonly string[]): string[] {
  const seen = new Map<string, string>();
  for (const t of tags) if (!seen.has(t.toLowerCase())) seen.set(t.toLowerCase(), t);
  return [...seen.values()].sort((a, b) => a.toLowerCase().localeCompare(b.toLowerCase()));
}

function checkSize(ctx: Context, content: string) {
  const max = ctx.config.knowledge.max_content_bytes;
  const size = Buffer.byteLength(content, 'utf8');
  if (size > max) {
    throw new HelixError('payload_too_large', `content: ${size} bytes exceeds the limit of ${max} bytes`, {
      field: 'content',
      size,
      limit: max,
    });
  }
}

const same = (field: VersionedField, a: unknown, b: unknown) =>
  field === 'tags'
    ? stableJson((a as string[]).map((t) => t.toLowerCase())) ===
      stableJson((b as string[]).map((t) => t.toLowerCase()))
    : stableJson(a ?? null) === stableJson(b ?? null);

/** The fields of `patch` that differ from `node`, as {before, after}. */
export function diffNode(node: KnowledgeNode, patch: Partial<Record<VersionedField, unknown>>): Changes {
  const changes: Changes = {};
  for (const field of versionedFields) {
    if (!(field in patch) || patch[field] === undefined) continue;
    const after = field === 'tags' ? normalizeTags(patch.tags as string[]) : (patch[field] ?? null);
    if (!same(field, node[field], after)) changes[field] = { before: node[field], after };
  }
  return changes;
}

function emitAll(ctx: Context, events: Pending[]) {
  for (const [name, payload] of events) ctx.bus.emit(name as never, payload as never);
}

export interface WriteOptions {
  /** keep this id (import); otherwise a new UUIDv7 */
  id?: string;
  created_at?: string;
  updated_at?: string;
  operation?: VersionOperation;
  /** turn links in the content into edges (off for imports, whose files carry their own edges) */
  autoLink?: boolean;
}

/** Inserts a node with its tags, full-text row, first version and change-feed entry. Call inside a transaction. */
export function insertNodeTx(ctx: Context, input: CreateNode, options: WriteOptions = {}): KnowledgeNode {
  checkSize(ctx, input.content);
  const { nodes, versions } = knowledgeStores(ctx.db);
  const now = isoNow(ctx.clock);
  const tags = normalizeTags(input.tags);
  const row: Omit<NodeRow, 'seq'> = {
    id: options.id ?? ctx.ids.next(),
    kind: input.kind,
    title: input.title ?? null,
    content: input.content,
    source: input.source ?? null,
    namespace: input.namespace ?? ctx.config.knowledge.default_namespace,
    importance: input.importance,
    metadata: JSON.stringify(input.metadata),
    created_at: options.created_at ?? now,
    updated_at: options.updated_at ?? options.created_at ?? now,
    last_accessed_at: null,
    access_count: 0,
    version: 1,
    expires_at: input.expires_at ?? null,
  };
  checkNamespaceQuota(ctx, row.namespace);
  const seq = nodes.insert(row, tags);
  const node = rowToNode({ ...row, seq }, tags);
  // The first version lists every field's initial value but content: that one is in the version's
  // `state` (rebuilt from the node), and storing it again doubled the database (docs/decisions/0004).
  const changes: Changes = {};
  for (const f of versionedFields) if (f !== 'content') changes[f] = { before: null, after: node[f] };
  versions.record(
    ctx.ids.next(),
    node.id,
    1,
    options.operation ?? 'create',
    changes,
    now,
    ctx.config.knowledge.version_retention,
  );
  nodes.recordChange('node', node.id, 'create', node.namespace, 1, now);
  nodes.needsEmbedding(node.id, 'upsert', now);
  if (options.autoLink !== false) syncLinksTx(ctx, node);
  resolvePendingTx(ctx, node);
  return node;
}

export function createNode(ctx: Context, input: CreateNode): KnowledgeNode {
  const node = inTransaction(ctx.db, () => {
    const namespace = input.namespace ?? ctx.config.knowledge.default_namespace;
    const extra = suggestTags(ctx, { ...input, namespace });
    if (extra.length === 0) return insertNodeTx(ctx, input);
    const metadata = { ...input.metadata, auto_tags: extra };
    return insertNodeTx(ctx, { ...input, tags: [...input.tags, ...extra], metadata });
  });
  ctx.bus.emit('node.created', {
    id: node.id,
    namespace: node.namespace,
    kind: node.kind,
    version: node.version,
  });
  return node;
}

export function getNode(ctx: Context, id: string): KnowledgeNode {
  const { nodes } = knowledgeStores(ctx.db);
  const row = nodes.get(id);
  if (!row) throw notFound('node', id);
  return rowToNode(row, nodes.tagsOf(id));
}

/** Applies field changes to a stored node as one new version. Call inside a transaction. */
export function applyChangesTx(
  ctx: Context,
  row: NodeRow,
  current: KnowledgeNode,
  changes: Changes,
  operation: VersionOperation,
): KnowledgeNode {
  const { nodes, versions } = knowledgeStores(ctx.db);
  const now = isoNow(ctx.clock);
  const next = { ...current };
  for (const [field, c] of Object.entries(changes)) (next as Record<string, unknown>)[field] = c.after;
  if (changes.content) checkSize(ctx, next.content);
  if (changes.namespace) checkNamespaceQuota(ctx, next.namespace);
  next.version = current.version + 1;
  next.updated_at = now;
  const touchesText = 'title' in changes || 'content' in changes || 'tags' in changes;
  if (touchesText) nodes.ftsRemove(row.seq);
  nodes.update(
    {
      ...row,
      kind: next.kind,
      title: next.title,
      content: next.content,
      source: next.source,
      namespace: next.namespace,
      importance: next.importance,
      metadata: JSON.stringify(next.metadata),
      updated_at: now,
      version: next.version,
      expires_at: next.expires_at,
    },
    'tags' in changes ? next.tags : undefined,
  );
  if (touchesText) {
    nodes.ftsAdd(row.seq);
    nodes.needsEmbedding(row.id, 'upsert', now);
  }
  if (operation !== 'import' && ('content' in changes || 'namespace' in changes)) syncLinksTx(ctx, next);
  if ('title' in changes || 'source' in changes || 'namespace' in changes) resolvePendingTx(ctx, next);
  versions.record(
    ctx.ids.next(),
    row.id,
    next.version,
    operation,
    changes,
    now,
    ctx.config.knowledge.version_retention,
  );
  nodes.recordChange('node', row.id, 'update', next.namespace, next.version, now);
  return next;
}

export function updateNode(ctx: Context, id: string, patch: UpdateNode): KnowledgeNode {
  const { nodes } = knowledgeStores(ctx.db);
  let fields: string[] = [];
  const node = inTransaction(ctx.db, () => {
    const row = nodes.get(id);
    if (!row) throw notFound('node', id);
    if (patch.expected_version !== undefined && patch.expected_version !== row.version) {
      throw new HelixError(
        'version_conflict',
        `node ${id} is at version ${row.version}, not the expected ${patch.expected_version}: re-read it and retry`,
        { expected_version: patch.expected_version, current_version: row.version },
      );
    }
    const current = rowToNode(row, nodes.tagsOf(id));
    const changes = diffNode(current, patch);
    fields = Object.keys(changes);
    return fields.length === 0 ? current : applyChangesTx(ctx, row, current, changes, 'update');
  });
  if (fields.length > 0) {
    ctx.bus.emit('node.updated', {
      id,
      namespace: node.namespace,
      kind: node.kind,
      version: node.version,
      fields,
    });
  }
  return node;
}

export function deleteNode(ctx: Context, id: string): void {
  const { nodes, relationships } = knowledgeStores(ctx.db);
  const events: Pending[] = [];
  inTransaction(ctx.db, () => {
    const row = nodes.get(id);
    if (!row) throw notFound('node', id);
    const now = isoNow(ctx.clock);
    for (const edge of relationships.edgesOf(id)) {
      nodes.recordChange('relationship', edge.id, 'delete', row.namespace, null, now);
      events.push([
        'relationship.deleted',
        {
          id: edge.id,
          from_node: edge.from_node,
          to_node: edge.to_node,
          kind: edge.kind,
          namespace: row.namespace,
        },
      ]);
    }
    nodes.remove(row, now);
    nodes.needsEmbedding(id, 'delete', now);
    nodes.recordChange('node', id, 'delete', row.namespace, row.version, now);
    events.push(['node.deleted', { id, namespace: row.namespace, kind: row.kind }]);
  });
  emitAll(ctx, events);
}
