import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { z } from 'zod';
import { Namespace, NodeKind, Tag } from '../../knowledge/nodes/schema.js';
import type { NodeKind as Kind } from '../../knowledge/nodes/schema.js';
import type { NodeRow } from '../../knowledge/nodes/store.js';
import { knowledgeStores } from '../../knowledge/stores.js';
import { buildFtsQuery } from '../../search/fulltext/query.js';
import { searchFulltext } from '../../search/fulltext/service.js';
import { recallStrategies } from '../../search/recall/schema.js';
import { recall } from '../../search/recall/service.js';
import { HelixError } from '../../core/errors.js';
import { callKey, readOffset } from '../budget.js';
import { compactHit } from '../format.js';
import { kindsFor, type McpDeps, overFetch, readNamespace, scoped, visible } from '../scope.js';
import { hitPage } from './page.js';
import { guard } from './result.js';
import type { ToolSpec } from './spec.js';

export const paging = {
  limit: z
    .number()
    .int()
    .min(1)
    .max(50)
    .optional()
    .describe('most results on this page (default 10); answers are also capped at about 2000 tokens'),
  cursor: z
    .string()
    .max(512)
    .optional()
    .describe('next_cursor from the previous answer, to get the next page (repeat the other arguments)'),
};
const namespace = Namespace.optional().describe(
  'namespace to search (default: all namespaces this key may read)',
);
const kinds = z.array(NodeKind).max(20).optional().describe('only these kinds (fact, task, decision, …)');
const tags = z.array(Tag).max(20).optional().describe('only nodes carrying all of these tags');

/** Candidates to ask for: this page plus one (to know whether more exist). Scope limits apply in SQL. */
const want = (deps: McpDeps, offset: number, limit: number) =>
  Math.min(deps.ctx.config.search.max_limit, offset + limit + 1);

export const searchTools: ToolSpec[] = [
  {
    name: 'helix_search',
    group: 'read',
    operation: 'search',
    register(server: McpServer, deps: McpDeps) {
      server.registerTool(
        'helix_search',
        {
          title: 'Search notes by words',
          description:
            'Full-text (BM25) search over titles, content and tags. Use for exact words, names and phrases; ' +
            'returns one line per hit (title, id, snippet). Open a hit with helix_get_node.',
          inputSchema: {
            query: z
              .string()
              .min(1)
              .max(2000)
              .describe('words to find; "exact phrase", prefix*, AND/OR/NOT and title:/tags: also work'),
            namespace,
            kind: kinds,
            tag: tags,
            ...paging,
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const p = deps.principal;
          const ns = readNamespace(p, args.namespace);
          const k = kindsFor(p, args.kind);
          const key = callKey('helix_search', args);
          const offset = readOffset(args.cursor, key);
          const limit = args.limit ?? 10;
          const n = want(deps, offset, limit);
          const { results } =
            k === null
              ? { results: [] }
              : searchFulltext(deps.ctx, {
                  q: args.query,
                  limit: n,
                  ...scoped(p),
                  ...(ns ? { namespace: ns } : {}),
                  ...(k ? { kind: k as Kind[] } : {}),
                  ...(args.tag?.length ? { tag: args.tag } : {}),
                });
          const hits = results
            .filter((r) => visible(p, r.node))
            .map((r) => compactHit(r.node, r.snippet, r.score));
          return hitPage({
            hits: hits.slice(offset),
            offset,
            limit,
            moreBeyond: results.length >= n && n < deps.ctx.config.search.max_limit,
            key,
            maxTokens: deps.maxTokens,
            header: `search "${args.query}": ${hits.length > offset ? `hits ${offset + 1}+` : 'no more hits'}`,
          });
        }),
      );
    },
  },
  {
    name: 'helix_recall',
    group: 'read',
    operation: 'recall',
    register(server, deps) {
      server.registerTool(
        'helix_recall',
        {
          title: 'Recall by meaning',
          description:
            'Find what the user meant: full text, vector similarity and links fused. Use for questions in ' +
            'natural language ("what did we decide about the API?"). One line per hit; open with helix_get_node.',
          inputSchema: {
            query: z.string().trim().min(1).max(4000).describe('what you are looking for, in your own words'),
            strategy: z
              .enum(recallStrategies)
              .optional()
              .describe('hybrid (default), fulltext, vector or graph'),
            namespace,
            kinds,
            tags,
            min_score: z
              .number()
              .min(0)
              .max(1)
              .optional()
              .describe('drop hits scoring below this (best = 1)'),
            ...paging,
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, async (args) => {
          const p = deps.principal;
          const ns = readNamespace(p, args.namespace);
          const k = kindsFor(p, args.kinds);
          const key = callKey('helix_recall', args);
          const offset = readOffset(args.cursor, key);
          const limit = args.limit ?? 10;
          const n = want(deps, offset, limit);
          if (deps.search.state === 'stopped') void deps.search.start();
          const res =
            k === null
              ? { results: [], notices: [], strategy: args.strategy ?? 'hybrid' }
              : await recall(
                  deps.ctx,
                  {
                    text: args.query,
                    limit: n,
                    ...scoped(p),
                    ...(args.strategy ? { strategy: args.strategy } : {}),
                    ...(ns ? { namespace: ns } : {}),
                    ...(k ? { kinds: k as Kind[] } : {}),
                    ...(args.tags?.length ? { tags: args.tags } : {}),
                    ...(args.min_score !== undefined ? { min_score: args.min_score } : {}),
                  },
                  deps.search.vectors(),
                );
          const hits = res.results
            .filter((r) => visible(p, r.node))
            .map((r) => compactHit(r.node, undefined, r.score));
          const notes = res.notices.map((x) => `note: ${x}`);
          return hitPage({
            hits: hits.slice(offset),
            offset,
            limit,
            moreBeyond: res.results.length >= n && n < deps.ctx.config.search.max_limit,
            key,
            maxTokens: deps.maxTokens,
            header: [`recall "${args.query}" (${res.strategy})`, ...notes].join('\n'),
            extra: { strategy: res.strategy, notices: res.notices },
          });
        }),
      );
    },
  },
  {
    name: 'helix_search_vault',
    group: 'read',
    operation: 'search',
    register(server, deps) {
      server.registerTool(
        'helix_search_vault',
        {
          title: 'Search the imported Obsidian vault',
          description:
            'Full-text search restricted to notes imported from an Obsidian vault (hx obsidian import); ' +
            'each hit shows the vault path. Use helix_search to search everything.',
          inputSchema: {
            query: z.string().min(1).max(2000).describe('words to find in the vault notes'),
            namespace,
            ...paging,
          },
          annotations: { readOnlyHint: true, openWorldHint: false },
        },
        guard(deps.ctx.logger, (args) => {
          const p = deps.principal;
          const ns = readNamespace(p, args.namespace);
          const key = callKey('helix_search_vault', args);
          const offset = readOffset(args.cursor, key);
          const limit = args.limit ?? 10;
          const n = Math.min(deps.ctx.config.search.max_limit, (offset + limit + 1) * overFetch(p));
          const fts = buildFtsQuery(args.query);
          if (fts.problem) throw new HelixError('invalid_query', `query: ${fts.problem}`, { field: 'query' });
          const hits = fts.expression ? vaultHits(deps, fts.expression, ns, n) : [];
          const shown = hits
            .filter((h) => visible(p, h.node))
            .map((h) => ({
              ...compactHit(h.node, h.snippet),
              path: h.node.source?.slice('obsidian://'.length),
            }));
          return hitPage({
            hits: shown.slice(offset),
            offset,
            limit,
            moreBeyond: hits.length >= n,
            key,
            maxTokens: deps.maxTokens,
            header: `vault search "${args.query}"`,
          });
        }),
      );
    },
  },
];

function vaultHits(deps: McpDeps, expression: string, namespace: string | undefined, limit: number) {
  const { ctx } = deps;
  let rows: { seq: number; snippet: string | null }[];
  try {
    rows = ctx.db
      .prepare(
        `SELECT f.rowid AS seq, snippet(nodes_fts, -1, '', '', '…', 24) AS snippet
         FROM nodes_fts f JOIN nodes n ON n.seq = f.rowid
         WHERE nodes_fts MATCH ? AND n.source LIKE 'obsidian://%' ${namespace ? 'AND n.namespace = ?' : ''}
         ORDER BY bm25(nodes_fts) LIMIT ?`,
      )
      .all(expression, ...(namespace ? [namespace] : []), limit) as { seq: number; snippet: string | null }[];
  } catch (err) {
    throw new HelixError(
      'invalid_query',
      `query: cannot be searched as written (${(err as Error).message})`,
      {
        field: 'query',
      },
    );
  }
  if (rows.length === 0) return [];
  const nodeRows = ctx.db
    .prepare('SELECT * FROM nodes WHERE seq IN (SELECT value FROM json_each(?))')
    .all(JSON.stringify(rows.map((r) => r.seq))) as NodeRow[];
  const bySeq = new Map(
    knowledgeStores(ctx.db)
      .nodes.hydrate(nodeRows)
      .map((node, i) => [nodeRows[i]!.seq, node]),
  );
  return rows.flatMap((r) => {
    const node = bySeq.get(r.seq);
    return node ? [{ node, snippet: r.snippet ?? '' }] : [];
  });
}
