import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { encodeCursor } from '../../core/cursor.js';
import { listNodes } from '../../knowledge/nodes/list.js';
import { Namespace, NodeKind, Tag } from '../../knowledge/nodes/schema.js';
import type { NodeKind as Kind } from '../../knowledge/nodes/schema.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { RelationshipKind } from '../../knowledge/relationships/schema.js';
import { neighbors } from '../../knowledge/relationships/service.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import { callKey, estimateTokens, fitToBudget, readOffset, offsetCursor } from '../budget.js';
import { compactHit, hitLine, nodeMarkdown } from '../format.js';
import { linksOf, readableNode } from '../nodes.js';
import { kindsFor, overFetch, readNamespace, scoped, visible } from '../scope.js';
import { hitPage } from './page.js';
import { guard, ok } from './result.js';
import { paging } from './search-tools.js';
import type { ToolSpec } from './spec.js';

const NodeId = z.uuid('id: not a node id (a UUID)').describe('node id, as shown in search results');
const namespace = Namespace.optional().describe('namespace (default: all namespaces this key may read)');

export const nodeTools: ToolSpec[] = [
  {
    name: 'helix_get_node',
    group: 'read',
    operation: 'read',
    register(server, deps) {
      server.registerTool(
        'helix_get_node',
        {
          title: 'Read a node',
          description:
            'Read one node as markdown: title, metadata, content and its links/backlinks. Long content ' +
            'comes in slices: pass next_cursor to read on.',
          inputSchema: {
            id: NodeId,
            cursor: z.string().max(512).optional().describe('next_cursor from the previous slice'),
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const node = readableNode(deps.ctx, deps.principal, args.id);
          const key = `get:${node.id}`;
          const offset = readOffset(args.cursor, key);
          const { links, backlinks } =
            offset === 0 ? linksOf(deps.ctx, deps.principal, node.id) : { links: [], backlinks: [] };
          // the content appears in both the text and the structured answer: each gets half the budget
          const room = Math.max(
            400,
            Math.floor(((deps.maxTokens - 400) * 4) / 2) - JSON.stringify({ links, backlinks }).length,
          );
          const slice = node.content.slice(offset, offset + room);
          const end = offset + slice.length;
          const next = end < node.content.length ? offsetCursor(key, end) : null;
          const more = next
            ? `[content continues: characters ${offset}–${end} of ${node.content.length}; call again with cursor="${next}"]`
            : undefined;
          const { content: _content, ...fields } = node;
          return ok(nodeMarkdown(node, slice, links, backlinks, more), {
            node: fields,
            content: slice,
            content_offset: offset,
            content_chars: node.content.length,
            next_cursor: next,
            links,
            backlinks,
          });
        }),
      );
    },
  },
  {
    name: 'helix_list_nodes',
    group: 'read',
    operation: 'read',
    register(server, deps) {
      server.registerTool(
        'helix_list_nodes',
        {
          title: 'List nodes',
          description: 'List nodes newest first, optionally by namespace, kind and tags. One line per node.',
          inputSchema: {
            namespace,
            kind: z.array(NodeKind).max(20).optional().describe('only these kinds'),
            tag: z.array(Tag).max(20).optional().describe('only nodes carrying all of these tags'),
            ...paging,
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const p = deps.principal;
          const ns = readNamespace(p, args.namespace);
          const k = kindsFor(p, args.kind);
          const limit = args.limit ?? 20;
          if (k === null) return ok('no nodes', { items: [], next_cursor: null });
          const page = listNodes(deps.ctx, {
            limit,
            ...scoped(p),
            ...(ns ? { namespace: ns } : {}),
            ...(k ? { kind: k as Kind[] } : {}),
            ...(args.tag?.length ? { tag: args.tag } : {}),
            ...(args.cursor ? { cursor: args.cursor } : {}),
          });
          const nodes = page.items.filter((n) => visible(p, n));
          const hits = nodes.slice(0, limit).map((n) => compactHit(n));
          const fitted = fitToBudget(
            hits,
            (h) => estimateTokens(hitLine(h, 0)) + estimateTokens(JSON.stringify(h)),
            deps.maxTokens,
          );
          const last = nodes[fitted.items.length - 1];
          const more = fitted.cut || nodes.length > fitted.items.length || page.next_cursor !== null;
          const next = more && last ? encodeCursor({ c: last.created_at, i: last.id }) : null;
          const lines = [`nodes${ns ? ` in ${ns}` : ''}, newest first:`];
          if (fitted.items.length === 0) lines.push('no nodes');
          for (const [i, h] of fitted.items.entries()) lines.push(hitLine(h, i + 1));
          if (next) lines.push(`more: call again with cursor="${next}"`);
          return ok(lines.join('\n'), { items: fitted.items, next_cursor: next });
        }),
      );
    },
  },
  {
    name: 'helix_list_recent',
    group: 'read',
    operation: 'read',
    register(server, deps) {
      server.registerTool(
        'helix_list_recent',
        {
          title: 'Recently changed nodes',
          description: 'The nodes created or changed most recently (what the user has been working on).',
          inputSchema: { namespace, ...paging },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const p = deps.principal;
          const ns = readNamespace(p, args.namespace);
          const key = callKey('helix_list_recent', args);
          const offset = readOffset(args.cursor, key);
          const limit = args.limit ?? 10;
          const nodes = recentNodes(deps.ctx, p, ns, offset, limit + 1);
          return hitPage({
            hits: nodes.map((n) => compactHit(n)),
            offset,
            limit,
            moreBeyond: false,
            key,
            maxTokens: deps.maxTokens,
            header: 'recently changed:',
          });
        }),
      );
    },
  },
  {
    name: 'helix_neighbors',
    group: 'read',
    operation: 'read',
    register(server, deps) {
      server.registerTool(
        'helix_neighbors',
        {
          title: 'Linked nodes',
          description: 'Nodes linked to a node (both directions), up to a few hops away, nearest first.',
          inputSchema: {
            id: NodeId,
            depth: z.number().int().min(1).max(5).optional().describe('hops to follow (default 2)'),
            relation: z.array(RelationshipKind).max(10).optional().describe('only follow these link kinds'),
            direction: z.enum(['out', 'in', 'both']).optional().describe('default both'),
            ...paging,
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const p = deps.principal;
          readableNode(deps.ctx, p, args.id);
          const key = callKey('helix_neighbors', args);
          const offset = readOffset(args.cursor, key);
          const limit = args.limit ?? 20;
          const res = neighbors(deps.ctx, args.id, {
            limit: Math.min(1000, (offset + limit + 1) * overFetch(p)),
            direction: args.direction ?? 'both',
            ...(args.depth ? { depth: args.depth } : {}),
            ...(args.relation?.length ? { kind: args.relation } : {}),
          });
          const hits = res.neighbors
            .filter((x) => visible(p, x.node))
            .map((x) => ({
              ...compactHit(x.node),
              snippet: `${x.direction === 'out' ? '→' : '←'} ${x.relationship.kind}, ${x.depth} hop(s)`,
            }));
          return hitPage({
            hits: hits.slice(offset),
            offset,
            limit,
            moreBeyond: false,
            key,
            maxTokens: deps.maxTokens,
            header: `linked to ${args.id}:`,
          });
        }),
      );
    },
  },
];

/** Most recently updated visible nodes, offset-paged (filters for tag scopes applied after). */
export function recentNodes(
  ctx: Context,
  p: Parameters<typeof visible>[0],
  namespace: string | undefined,
  offset: number,
  count: number,
) {
  const k = kindsFor(p, undefined);
  const where: string[] = [];
  const params: unknown[] = [];
  if (namespace) {
    where.push('namespace = ?');
    params.push(namespace);
  }
  if (k?.length) {
    where.push(`kind IN (${k.map(() => '?').join(', ')})`);
    params.push(...k);
  }
  const sql = `SELECT * FROM nodes ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
    ORDER BY updated_at DESC, id DESC LIMIT ?`;
  const out = [];
  // tag scopes filter after the query: read in growing batches until the page is full
  let read = 0;
  let skipped = 0;
  const batch = Math.max(50, (offset + count) * overFetch(p));
  for (;;) {
    const rows = ctx.db.prepare(`${sql} OFFSET ?`).all(...params, batch, read) as NodeRow[];
    read += rows.length;
    for (const node of knowledgeStores(ctx.db).nodes.hydrate(rows)) {
      if (!visible(p, node)) continue;
      if (skipped < offset) skipped++;
      else out.push(node);
      if (out.length >= count) return out;
    }
    if (rows.length < batch || read > 20 * batch) return out;
  }
}
