import { type McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { clip, hitLine, compactHit, nodeMarkdown, titleOf } from './format.js';
import { linksOf, readableNode } from './nodes.js';
import { orRpcError } from './rpc-error.js';
import { kindsFor, type McpDeps } from './scope.js';
import { recentNodes } from './tools/node-tools.js';
import { HelixError } from '../core/errors.js';

const md = (uri: string, text: string) => ({ contents: [{ uri, mimeType: 'text/markdown', text }] });

/** The namespace listings run in (one), or undefined: then `visible` filters the rest out. */
const listNamespace = (deps: McpDeps) => {
  const ns = deps.principal.namespaces;
  return ns.length === 1 && ns[0] !== '*' ? ns[0] : undefined;
};

/** Tags in use within the caller's scope, most used first. */
function tagCounts(deps: McpDeps, max: number): { tag: string; count: number }[] {
  const p = deps.principal;
  const where: string[] = [];
  const params: unknown[] = [];
  if (!p.namespaces.includes('*')) {
    where.push(`n.namespace IN (${p.namespaces.map(() => '?').join(', ')})`);
    params.push(...p.namespaces);
  }
  const kinds = kindsFor(p, undefined);
  if (kinds?.length) {
    where.push(`n.kind IN (${kinds.map(() => '?').join(', ')})`);
    params.push(...kinds);
  }
  if (p.scope?.tags?.length) {
    where.push(
      `n.id IN (SELECT node_id FROM node_tags WHERE tag IN (${p.scope.tags.map(() => '?').join(', ')}))`,
    );
    params.push(...p.scope.tags);
  }
  return deps.ctx.db
    .prepare(
      `SELECT t.tag AS tag, count(*) AS count FROM node_tags t JOIN nodes n ON n.id = t.node_id
       ${where.length ? `WHERE ${where.join(' AND ')}` : ''} GROUP BY t.tag ORDER BY count DESC, t.tag LIMIT ?`,
    )
    .all(...params, max) as { tag: string; count: number }[];
}

export function registerResources(server: McpServer, deps: McpDeps): void {
  const { logger } = deps.ctx;
  server.registerResource(
    'node',
    new ResourceTemplate('helix://node/{id}', {
      // only the most recent nodes: listing every node is how other memory servers flood a context
      list: () =>
        orRpcError(logger, () => ({
          resources: recentNodes(deps.ctx, deps.principal, listNamespace(deps), 0, 25).map((n) => ({
            uri: `helix://node/${n.id}`,
            name: titleOf(n),
            mimeType: 'text/markdown',
          })),
        })),
    }),
    {
      title: 'A Helix node',
      description: 'One node as markdown: title, metadata, content, links and backlinks',
      mimeType: 'text/markdown',
    },
    (uri, variables) =>
      orRpcError(logger, () => {
        const id = String(variables.id ?? '');
        if (!/^[0-9a-f-]{36}$/i.test(id)) throw new HelixError('not_found', `node ${clip(id, 40)} not found`);
        const node = readableNode(deps.ctx, deps.principal, id);
        const { links, backlinks } = linksOf(deps.ctx, deps.principal, id);
        const room = deps.maxTokens * 8;
        const content = node.content.length > room ? node.content.slice(0, room) : node.content;
        const more =
          content.length < node.content.length
            ? `[${node.content.length - content.length} more characters: read them with helix_get_node]`
            : undefined;
        return md(uri.href, nodeMarkdown(node, content, links, backlinks, more));
      }),
  );

  server.registerResource(
    'recent',
    'helix://recent',
    {
      title: 'Recently changed nodes',
      description: 'The 20 nodes changed most recently',
      mimeType: 'text/markdown',
    },
    (uri) =>
      orRpcError(logger, () => {
        const nodes = recentNodes(deps.ctx, deps.principal, listNamespace(deps), 0, 20);
        const lines = ['# Recently changed', '', ...nodes.map((n, i) => hitLine(compactHit(n), i + 1))];
        return md(uri.href, lines.join('\n'));
      }),
  );

  server.registerResource(
    'tags',
    'helix://tags',
    { title: 'Tags', description: 'Tags in use, most used first (top 200)', mimeType: 'text/markdown' },
    (uri) =>
      orRpcError(logger, () => {
        const tags = tagCounts(deps, 200);
        return md(uri.href, ['# Tags', '', ...tags.map((t) => `- #${t.tag} (${t.count})`)].join('\n'));
      }),
  );
}
