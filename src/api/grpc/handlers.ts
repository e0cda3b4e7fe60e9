import type { UntypedServiceImplementation } from '@grpc/grpc-js';
import { validate } from '../../core/validate.js';
import { helixVersion } from '../../core/version.js';
import { IdParams, scopedNamespace } from '../../http/route.js';
import { listNodes } from '../../knowledge/nodes/list.js';
import { CreateNodeBody, ListNodesQuery, UpdateNodeBody } from '../../knowledge/nodes/schema.js';
import { createNode, deleteNode, getNode, updateNode } from '../../knowledge/nodes/service.js';
import { CreateRelationshipBody, NeighborsQuery } from '../../knowledge/relationships/schema.js';
import { createRelationship, neighbors } from '../../knowledge/relationships/service.js';
import { SearchQuery } from '../../search/fulltext/schema.js';
import { searchFulltext } from '../../search/fulltext/service.js';
import { RecallBody } from '../../search/recall/schema.js';
import { recall } from '../../search/recall/service.js';
import type { SearchRuntime } from '../../search/runtime.js';
import {
  authorize,
  authorizeNode,
  authorizeNodeWrite,
  authorizeOperation,
  nodeVisible,
  ownNamespace,
  scopeFilter,
} from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
import { type CallDeps, unary } from './call.js';
import { csv, defined, nodeMessage, relationshipMessage } from './present.js';
import { fromStruct, type Struct, toStruct } from './struct.js';

type Req = Record<string, unknown> & { metadata?: Struct };
const str = (v: unknown) => v as string | undefined;
const list = (v: unknown) => v as string[] | undefined;
const SERVICE = '/helix.v1.Helix/';

/**
 * The RPCs of `helix.v1.Helix`: each validates with the zod schema of its REST route, runs the
 * same authorization calls (role, namespace, a key's tag/kind scope and allowed operations) and
 * calls the same domain service, so REST and gRPC cannot disagree on a rule.
 */
export function helixHandlers(deps: CallDeps & { search: SearchRuntime }): UntypedServiceImplementation {
  const { ctx, search } = deps;
  const started = Date.now();
  const id = (req: Req) => validate(IdParams, { id: req.id }).id;
  const readNode = (p: Principal, nodeId: string) => {
    const node = getNode(ctx, nodeId);
    authorizeNode(p, 'read', node);
    return node;
  };
  const rpc = <T>(name: string, handler: (p: Principal, req: Req) => T | Promise<T>, write = false) =>
    unary<Req, T>(deps, { path: SERVICE + name, write, target: (r) => r.id }, handler);

  return {
    GetNode: rpc('GetNode', (p, req) => {
      const node = readNode(p, id(req));
      authorizeOperation(p, 'read');
      return nodeMessage(node);
    }),

    ListNodes: rpc('ListNodes', (p, req) => {
      authorize(p, 'read');
      authorizeOperation(p, 'read');
      const query = validate(
        ListNodesQuery,
        defined({
          namespace: req.namespace,
          kind: list(req.kind),
          tag: list(req.tag),
          created_after: req.created_after,
          created_before: req.created_before,
          limit: req.limit,
          cursor: req.cursor,
        }),
      );
      const page = listNodes(ctx, {
        ...query,
        namespace: scopedNamespace(p, query.namespace),
        scope: scopeFilter(p),
      });
      return {
        items: page.items.filter((n) => nodeVisible(p, n)).map(nodeMessage),
        ...(page.next_cursor ? { next_cursor: page.next_cursor } : {}),
      };
    }),

    CreateNode: rpc(
      'CreateNode',
      (p, req) => {
        const body = validate(
          CreateNodeBody,
          defined({
            kind: req.kind,
            title: req.title,
            content: req.content,
            source: req.source,
            namespace: req.namespace,
            tags: list(req.tags),
            importance: req.importance,
            metadata: req.metadata ? fromStruct(req.metadata) : undefined,
            expires_at: req.expires_at,
          }),
        );
        const namespace = body.namespace ?? ownNamespace(p) ?? ctx.config.knowledge.default_namespace;
        authorizeOperation(p, 'store');
        authorizeNodeWrite(p, { namespace, kind: body.kind, tags: body.tags });
        return nodeMessage(createNode(ctx, { ...body, namespace }));
      },
      true,
    ),

    UpdateNode: rpc(
      'UpdateNode',
      (p, req) => {
        const nodeId = id(req);
        const tags = req.clear_tags ? [] : list(req.tags)?.length ? list(req.tags) : undefined;
        const patch = validate(
          UpdateNodeBody,
          defined({
            kind: req.kind,
            title: req.title,
            content: req.content,
            source: req.source,
            namespace: req.namespace,
            tags,
            importance: req.importance,
            metadata: req.metadata ? fromStruct(req.metadata) : undefined,
            expires_at: req.expires_at,
            expected_version: req.expected_version,
          }),
        );
        const current = readNode(p, nodeId);
        authorizeOperation(p, 'update');
        authorizeNodeWrite(p, current);
        // the node as it will be must still lie inside the caller's namespaces, kinds and tags
        authorizeNodeWrite(p, {
          namespace: patch.namespace ?? current.namespace,
          kind: patch.kind ?? current.kind,
          tags: patch.tags ?? current.tags,
        });
        return nodeMessage(updateNode(ctx, nodeId, patch));
      },
      true,
    ),

    DeleteNode: rpc(
      'DeleteNode',
      (p, req) => {
        const current = readNode(p, id(req));
        authorizeOperation(p, 'delete');
        authorizeNodeWrite(p, current);
        deleteNode(ctx, current.id);
        return {};
      },
      true,
    ),

    Search: rpc('Search', (p, req) => {
      authorize(p, 'read');
      authorizeOperation(p, 'search');
      const query = validate(
        SearchQuery,
        defined({
          q: str(req.q) ?? '',
          limit: req.limit,
          namespace: req.namespace,
          kind: csv(list(req.kind)),
          tag: csv(list(req.tag)),
        }),
      );
      const out = searchFulltext(ctx, {
        ...query,
        namespace: scopedNamespace(p, query.namespace),
        scope: scopeFilter(p),
      });
      return {
        results: out.results
          .filter((r) => nodeVisible(p, r.node))
          .map((r) => ({ ...r, node: nodeMessage(r.node) })),
        query: defined({ expression: out.query.expression, mode: out.query.mode }),
      };
    }),

    Recall: rpc('Recall', async (p, req) => {
      authorize(p, 'read');
      authorizeOperation(p, 'recall');
      const body = validate(
        RecallBody,
        defined({
          text: str(req.text) ?? '',
          strategy: req.strategy,
          limit: req.limit,
          min_score: req.min_score,
          namespace: req.namespace,
          kinds: list(req.kinds),
          tags: list(req.tags),
          min_importance: req.min_importance,
          created_after: req.created_after,
          created_before: req.created_before,
          rewrite: req.rewrite,
        }),
      );
      const namespace = scopedNamespace(p, body.namespace);
      const scope = scopeFilter(p);
      const out = await recall(
        ctx,
        { ...body, ...(namespace ? { namespace } : {}), ...(scope ? { scope } : {}) },
        search.vectors(),
      );
      return {
        results: out.results
          .filter((r) => nodeVisible(p, r.node))
          .map((r) => ({ ...r, node: nodeMessage(r.node), explain: toStruct(r.explain) })),
        strategy: out.strategy,
        notices: out.notices,
        query: defined(out.query),
      };
    }),

    Neighbors: rpc('Neighbors', (p, req) => {
      const nodeId = id(req);
      const query = validate(
        NeighborsQuery,
        defined({ depth: req.depth, kind: csv(list(req.kind)), direction: req.direction, limit: req.limit }),
      );
      readNode(p, nodeId);
      authorizeOperation(p, 'read');
      const out = neighbors(ctx, nodeId, query);
      return {
        node_id: out.node_id,
        depth: out.depth,
        neighbors: out.neighbors
          .filter((n) => nodeVisible(p, n.node))
          .map((n) => ({
            ...n,
            node: nodeMessage(n.node),
            relationship: relationshipMessage(n.relationship),
          })),
      };
    }),

    AddRelationship: rpc(
      'AddRelationship',
      (p, req) => {
        const body = validate(
          CreateRelationshipBody,
          defined({
            from_node: req.from_node,
            to_node: req.to_node,
            kind: req.kind,
            weight: req.weight,
            metadata: req.metadata ? fromStruct(req.metadata) : undefined,
          }),
        );
        const ends = [body.from_node, body.to_node].map((n) => readNode(p, n));
        authorizeOperation(p, 'relate');
        for (const n of ends) authorizeNodeWrite(p, n);
        return relationshipMessage(createRelationship(ctx, body));
      },
      true,
    ),

    Health: unary<Req, unknown>(deps, { path: `${SERVICE}Health`, public: true }, () => {
      let database: { status: 'ok' | 'error'; error?: string } = { status: 'ok' };
      try {
        ctx.db.prepare('SELECT 1').get();
      } catch (err) {
        database = { status: 'error', error: (err as Error).message };
      }
      return {
        status: database.status === 'ok' ? 'ok' : 'degraded',
        version: helixVersion,
        uptime_secs: Math.round((Date.now() - started) / 1000),
        database,
      };
    }),
  };
}
