import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { validate } from '../../core/validate.js';
import { CreateNodeBody, Namespace, NodeKind, Tag, UpdateNodeBody } from '../../knowledge/nodes/schema.js';
import { createNode, deleteNode, getNode, updateNode } from '../../knowledge/nodes/service.js';
import type { Proposal } from '../../knowledge/proposals/schema.js';
import { proposeChange } from '../../knowledge/proposals/service.js';
import { RelationshipKind } from '../../knowledge/relationships/schema.js';
import { createRelationship } from '../../knowledge/relationships/service.js';
import { authorize, authorizeNode } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
import { compactHit, titleOf } from '../format.js';
import { readableNode } from '../nodes.js';
import { type McpDeps, visible, writesGoToProposals } from '../scope.js';
import { guard, ok } from './result.js';
import type { ToolSpec } from './spec.js';

const NodeId = z.uuid('id: not a node id (a UUID)').describe('node id, as shown in search results');
const fields = {
  title: z.string().max(1000).optional().describe('short title'),
  kind: NodeKind.optional().describe('fact (default), task, decision, preference, entity, …'),
  tags: z.array(Tag).max(64).optional().describe('tags, without #'),
  importance: z.number().min(0).max(1).optional().describe('0..1 (default 0.5)'),
};
const newNode = {
  content: z.string().min(1).describe('the text to remember (markdown)'),
  ...fields,
  namespace: Namespace.optional().describe('namespace (default: the configured default)'),
};
const proposalArgs = {
  confidence: z.number().min(0).max(1).optional().describe('how sure you are, 0..1 (default 0.5)'),
  reason: z.string().max(2000).optional().describe('why, for the owner who decides'),
};
const patchArgs = {
  content: z.string().optional().describe('new content (replaces the old)'),
  ...fields,
};

function noProposalWrite(deps: McpDeps, what: string): void {
  if (writesGoToProposals(deps.principal))
    throw new HelixError('forbidden', `a ${deps.principal.scope?.tier}-tier key cannot ${what}`, {
      tier: deps.principal.scope?.tier,
    });
}

const proposalText = (p: Proposal, direct: boolean) =>
  `${direct ? 'this key may not write directly, so a ' : ''}proposal ${p.id} was recorded (${p.action}, ${p.status === 'pending' ? "pending the owner's approval" : p.status})${p.result_node_id ? `; node ${p.result_node_id}` : ''}`;

const propose = (deps: McpDeps, input: Parameters<typeof proposeChange>[2]) =>
  proposeChange(deps.ctx, deps.principal, input, { source: 'mcp', requestId: deps.requestId });

function patchOf(args: Record<string, unknown>) {
  const patch: Record<string, unknown> = {};
  for (const k of ['content', 'title', 'kind', 'tags', 'importance', 'expected_version'])
    if (args[k] !== undefined) patch[k] = args[k];
  if (Object.keys(patch).filter((k) => k !== 'expected_version').length === 0)
    throw new HelixError(
      'validation_error',
      'nothing to change: give content, title, kind, tags or importance',
      {
        field: 'content',
      },
    );
  return validate(UpdateNodeBody, patch);
}

function assertInScope(p: Principal, node: { namespace: string; kind: string; tags: readonly string[] }) {
  if (!visible(p, node))
    throw new HelixError('forbidden', 'the node would lie outside this key’s scope (kinds or tags)', {
      kinds: p.scope?.kinds ?? null,
      tags: p.scope?.tags ?? null,
    });
}

export const writeTools: ToolSpec[] = [
  {
    name: 'helix_store',
    group: 'write',
    operation: 'store',
    register(server, deps) {
      server.registerTool(
        'helix_store',
        {
          title: 'Remember something',
          description:
            'Store a new node (a fact, decision, task, …) in Helix. With a view/edit-tier key this records a ' +
            'proposal for the owner instead of writing.',
          inputSchema: newNode,
          annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
        },
        guard(deps.ctx.logger, async (args) => {
          const body = validate(CreateNodeBody, args);
          const namespace = body.namespace ?? deps.ctx.config.knowledge.default_namespace;
          if (writesGoToProposals(deps.principal)) {
            const p = await propose(deps, {
              action: 'create',
              node: { ...body, namespace },
              confidence: 0.5,
            });
            return ok(proposalText(p, true), { written: false, proposal: p });
          }
          authorize(deps.principal, 'write', { namespace });
          assertInScope(deps.principal, { namespace, kind: body.kind, tags: body.tags });
          const node = createNode(deps.ctx, { ...body, namespace });
          return ok(`stored ${node.kind} "${titleOf(node)}" id=${node.id}`, {
            written: true,
            node: { ...compactHit(node), version: node.version },
          });
        }),
      );
    },
  },
  {
    name: 'helix_update_node',
    group: 'write',
    operation: 'update',
    register(server, deps) {
      server.registerTool(
        'helix_update_node',
        {
          title: 'Change a node',
          description:
            'Change some fields of a node (content, title, kind, tags, importance). Tags given replace the ' +
            'old ones. With a view/edit-tier key this records a proposal instead.',
          inputSchema: {
            id: NodeId,
            ...patchArgs,
            expected_version: z
              .number()
              .int()
              .min(1)
              .optional()
              .describe('refuse the change unless the node is still at this version'),
          },
          annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
        },
        guard(deps.ctx.logger, async ({ id, ...rest }) => {
          const patch = patchOf(rest);
          if (writesGoToProposals(deps.principal)) {
            const p = await propose(deps, { action: 'update', target_node_id: id, patch, confidence: 0.5 });
            return ok(proposalText(p, true), { written: false, proposal: p });
          }
          const node = getNode(deps.ctx, id);
          authorizeNode(deps.principal, 'write', node);
          assertInScope(deps.principal, {
            namespace: node.namespace,
            kind: patch.kind ?? node.kind,
            tags: patch.tags ?? node.tags,
          });
          const updated = updateNode(deps.ctx, id, patch);
          return ok(`updated "${titleOf(updated)}" id=${id}, now version ${updated.version}`, {
            written: true,
            node: { ...compactHit(updated), version: updated.version },
          });
        }),
      );
    },
  },
  {
    name: 'helix_delete_node',
    group: 'write',
    operation: 'delete',
    register(server, deps) {
      server.registerTool(
        'helix_delete_node',
        {
          title: 'Delete a node',
          description: 'Delete a node. With a view/edit-tier key this records a proposal instead.',
          inputSchema: { id: NodeId },
          annotations: { readOnlyHint: false, destructiveHint: true, idempotentHint: true },
        },
        guard(deps.ctx.logger, async ({ id }) => {
          if (writesGoToProposals(deps.principal)) {
            const p = await propose(deps, { action: 'delete', target_node_id: id, confidence: 0.5 });
            return ok(proposalText(p, true), { written: false, proposal: p });
          }
          const node = getNode(deps.ctx, id);
          authorizeNode(deps.principal, 'write', node);
          deleteNode(deps.ctx, id);
          return ok(`deleted "${titleOf(node)}" id=${id}`, { written: true, deleted: id });
        }),
      );
    },
  },
  {
    name: 'helix_link',
    group: 'write',
    operation: 'relate',
    register(server, deps) {
      server.registerTool(
        'helix_link',
        {
          title: 'Link two nodes',
          description: 'Create a relationship from one node to another (relates_to, depends_on, part_of, …).',
          inputSchema: {
            from_id: NodeId.describe('the node the link starts from'),
            to_id: NodeId.describe('the node it points to'),
            relation: RelationshipKind.optional().describe('kind of link (default relates_to)'),
          },
          annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: false },
        },
        guard(deps.ctx.logger, ({ from_id, to_id, relation }) => {
          noProposalWrite(deps, 'link nodes: propose an update instead');
          const from = getNode(deps.ctx, from_id);
          authorizeNode(deps.principal, 'write', from);
          const to = getNode(deps.ctx, to_id);
          authorizeNode(deps.principal, 'write', to);
          const rel = createRelationship(deps.ctx, {
            from_node: from_id,
            to_node: to_id,
            kind: relation ?? 'relates_to',
            weight: 1,
            metadata: {},
          });
          return ok(`linked "${titleOf(from)}" -${rel.kind}-> "${titleOf(to)}" (relationship ${rel.id})`, {
            written: true,
            relationship: rel,
          });
        }),
      );
    },
  },
  {
    name: 'helix_propose_node',
    group: 'propose',
    operation: 'store',
    register(server, deps) {
      server.registerTool(
        'helix_propose_node',
        {
          title: 'Propose a new node',
          description:
            'Suggest a new node for the owner to approve (nothing is written until approved). Use when you ' +
            'are not sure the user wants it stored.',
          inputSchema: { ...newNode, ...proposalArgs },
          annotations: { readOnlyHint: false, destructiveHint: false },
        },
        guard(deps.ctx.logger, async ({ confidence, reason, ...rest }) => {
          const node = validate(CreateNodeBody, rest);
          const p = await propose(deps, {
            action: 'create',
            node,
            confidence: confidence ?? 0.5,
            ...(reason ? { reason } : {}),
          });
          return ok(proposalText(p, false), { written: false, proposal: p });
        }),
      );
    },
  },
  {
    name: 'helix_propose_update',
    group: 'propose',
    operation: 'update',
    register(server, deps) {
      server.registerTool(
        'helix_propose_update',
        {
          title: 'Propose a change to a node',
          description: 'Suggest changing some fields of a node; the owner approves or rejects it.',
          inputSchema: { id: NodeId, ...patchArgs, ...proposalArgs },
          annotations: { readOnlyHint: false, destructiveHint: false },
        },
        guard(deps.ctx.logger, async ({ id, confidence, reason, ...rest }) => {
          const p = await propose(deps, {
            action: 'update',
            target_node_id: id,
            patch: patchOf(rest),
            confidence: confidence ?? 0.5,
            ...(reason ? { reason } : {}),
          });
          return ok(proposalText(p, false), { written: false, proposal: p });
        }),
      );
    },
  },
  {
    name: 'helix_propose_tag',
    group: 'propose',
    operation: 'update',
    register(server, deps) {
      server.registerTool(
        'helix_propose_tag',
        {
          title: 'Propose a tag',
          description: 'Suggest adding one tag to a node; the owner approves or rejects it.',
          inputSchema: {
            target_node_id: NodeId.describe('the node to tag'),
            tag: Tag.describe('the tag to add, without #'),
            ...proposalArgs,
          },
          annotations: { readOnlyHint: false, destructiveHint: false },
        },
        guard(deps.ctx.logger, async ({ target_node_id, tag, confidence, reason }) => {
          readableNode(deps.ctx, deps.principal, target_node_id);
          const p = await propose(deps, {
            action: 'tag',
            target_node_id,
            tag,
            confidence: confidence ?? 0.5,
            ...(reason ? { reason } : {}),
          });
          return ok(proposalText(p, false), { written: false, proposal: p });
        }),
      );
    },
  },
];
