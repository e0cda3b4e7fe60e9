import type { Context } from '../../core/context.js';
import { HelixError, isHelixError, notFound } from '../../core/errors.js';
import { validate } from '../../core/validate.js';
import { recordAudit } from '../../security/audit.js';
import { authorize, authorizeNode, canUseNamespace, nodeVisible } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
import { inTransaction } from '../../storage/database.js';
import { type KnowledgeNode, UpdateNodeBody, versionedFields } from '../nodes/schema.js';
import {
  type CreateNode,
  createNode,
  deleteNode,
  getNode,
  insertNodeTx,
  type UpdateNode,
  updateNode,
} from '../nodes/service.js';
import { knowledgeStores } from '../stores.js';
import { findAutoApproveRule } from './auto-approve-port.js';
import type { CreateProposal, ListProposals, Proposal, ProposalStatus } from './schema.js';
import {
  getProposalRow,
  insertProposal,
  listProposalRows,
  type ProposalRow,
  presentProposal,
  saveDecision,
} from './store.js';

export interface DecisionMeta {
  note?: string | undefined;
  /** the request that carried the decision (REST request id, `mcp`, `cli`) */
  requestId?: string;
}

/** View and edit tiers only propose; deciding is for the owner (no key limits, or tier action/admin). */
export const proposesOnly = (p: Principal) => p.scope?.tier === 'view' || p.scope?.tier === 'edit';

function audit(ctx: Context, p: Principal, action: string, row: ProposalRow, requestId = 'internal') {
  try {
    recordAudit(ctx, {
      actor: p.id,
      actor_via: p.via,
      role: p.role,
      action,
      target: row.id,
      namespace: row.namespace,
      outcome: 'success',
      status: 200,
      request_id: requestId,
      ip: null,
    });
  } catch (err) {
    ctx.logger.error({ err, action, target: row.id }, 'audit write failed');
  }
}

const summary = (input: CreateProposal, target: KnowledgeNode | null): string => {
  const name = (n: { title?: string | null; content: string }) =>
    n.title ?? `${n.content.replace(/\s+/g, ' ').slice(0, 60)}`;
  switch (input.action) {
    case 'create':
      return `create ${input.node.kind} "${name(input.node)}"`;
    case 'update':
      return `update "${name(target!)}" (${Object.keys(input.patch).join(', ')})`;
    case 'delete':
      return `delete "${name(target!)}"`;
    case 'tag':
      return `tag "${name(target!)}" with #${input.tag}`;
  }
};

/**
 * Records a proposed change (and its mirror node of kind `proposal`, same id, in the target's
 * namespace), then lets the auto-approve rules approve it. The proposer needs only read access
 * to what it proposes to change; the change itself must stay inside its key's scope.
 */
export async function proposeChange(
  ctx: Context,
  principal: Principal,
  input: CreateProposal,
  options: { source: string; requestId?: string },
): Promise<Proposal> {
  let target: KnowledgeNode | null = null;
  let namespace: string;
  let kind: string;
  let tags: string[];
  if (input.action === 'create') {
    namespace = input.node.namespace ?? ctx.config.knowledge.default_namespace;
    authorize(principal, 'read', { namespace });
    kind = input.node.kind;
    tags = input.node.tags;
    if (!nodeVisible(principal, { namespace, kind, tags }))
      throw new HelixError('forbidden', 'the node would lie outside this key’s scope (kinds or tags)', {
        kinds: principal.scope?.kinds ?? null,
        tags: principal.scope?.tags ?? null,
      });
  } else {
    target = getNode(ctx, input.target_node_id);
    authorizeNode(principal, 'read', target);
    ({ namespace, kind, tags } = target);
    if (input.action === 'update' && input.patch.namespace)
      authorize(principal, 'read', { namespace: input.patch.namespace });
  }
  const payload =
    input.action === 'create'
      ? { ...input.node, namespace }
      : input.action === 'update'
        ? input.patch
        : input.action === 'tag'
          ? { tag: input.tag }
          : {};
  const id = ctx.ids.next();
  const now = ctx.clock.now().toISOString();
  const row: ProposalRow = {
    id,
    action: input.action,
    status: 'pending',
    namespace,
    target_node_id: target?.id ?? null,
    payload: JSON.stringify(payload),
    confidence: input.confidence,
    reason: input.reason ?? null,
    source: options.source,
    proposed_by: principal.id,
    created_at: now,
    decided_at: null,
    decided_by: null,
    decision_note: null,
    auto_rule_id: null,
    result_node_id: null,
    before: null,
  };
  const text = summary(input, target);
  const mirror = inTransaction(ctx.db, () => {
    insertProposal(ctx.db, row);
    return insertNodeTx(
      ctx,
      {
        kind: 'proposal',
        title: `Proposal: ${text}`.slice(0, 1000),
        content: `${principal.id} proposes to ${text}.${input.reason ? `\n\nReason: ${input.reason}` : ''}`,
        namespace,
        tags: ['proposal'],
        importance: 0.5,
        metadata: {
          proposal: { action: input.action, status: 'pending', target_node_id: row.target_node_id },
        },
      },
      { id, autoLink: false },
    );
  });
  ctx.bus.emit('node.created', { id, namespace, kind: mirror.kind, version: mirror.version });
  audit(ctx, principal, `proposal.${input.action}`, row, options.requestId);

  const rule = await findAutoApproveRule(ctx, {
    action: input.action,
    namespace,
    kind,
    tags,
    confidence: input.confidence,
    source: options.source,
  });
  if (rule) {
    const system: Principal = { id: `auto:${rule.rule_id}`, role: 'admin', namespaces: ['*'], via: 'local' };
    return decide(
      ctx,
      system,
      id,
      'approve',
      { note: `auto-approved by rule ${rule.rule_id}` },
      rule.rule_id,
    );
  }
  return presentProposal(row);
}

function readable(ctx: Context, principal: Principal, id: string): ProposalRow {
  const row = getProposalRow(ctx.db, id);
  if (!row || !canUseNamespace(principal, row.namespace)) throw notFound('proposal', id);
  authorize(principal, 'read', { namespace: row.namespace });
  return row;
}

export function getProposal(ctx: Context, principal: Principal, id: string): Proposal {
  return presentProposal(readable(ctx, principal, id));
}

export function listProposals(
  ctx: Context,
  principal: Principal,
  filter: ListProposals,
): { items: Proposal[]; next_cursor: string | null } {
  authorize(principal, 'read', filter.namespace ? { namespace: filter.namespace } : {});
  let namespace = filter.namespace;
  if (!namespace && !principal.namespaces.includes('*')) {
    if (principal.namespaces.length !== 1)
      throw new HelixError(
        'validation_error',
        'namespace: required for a principal with several namespaces',
        {
          field: 'namespace',
        },
      );
    namespace = principal.namespaces[0];
  }
  const page = listProposalRows(ctx.db, { ...filter, namespace });
  return { items: page.items.map(presentProposal), next_cursor: page.next_cursor };
}

function assertCanDecide(principal: Principal, row: ProposalRow) {
  authorize(principal, 'admin');
  authorize(principal, 'write', { namespace: row.namespace });
  if (proposesOnly(principal))
    throw new HelixError('forbidden', `a ${principal.scope?.tier}-tier key may propose but not decide`, {
      tier: principal.scope?.tier,
    });
}

const nodeExists = (ctx: Context, id: string | null) => !!id && !!knowledgeStores(ctx.db).nodes.get(id);

function targetOf(ctx: Context, row: ProposalRow): KnowledgeNode {
  if (!nodeExists(ctx, row.target_node_id))
    throw new HelixError('conflict', `node ${row.target_node_id} no longer exists: reject this proposal`, {
      target_node_id: row.target_node_id,
    });
  return getNode(ctx, row.target_node_id!);
}

/** Applies the change through the ordinary node services; returns what undo needs. */
function apply(ctx: Context, row: ProposalRow): { result_node_id: string; before: string | null } {
  const payload = JSON.parse(row.payload) as Record<string, unknown>;
  switch (row.action) {
    case 'create':
      return { result_node_id: createNode(ctx, payload as unknown as CreateNode).id, before: null };
    case 'update': {
      const current = targetOf(ctx, row);
      const patch = validate(UpdateNodeBody, payload) as UpdateNode;
      const before: Record<string, unknown> = {};
      for (const f of versionedFields) if (f in patch) before[f] = current[f];
      updateNode(ctx, current.id, patch);
      return { result_node_id: current.id, before: JSON.stringify(before) };
    }
    case 'tag': {
      const current = targetOf(ctx, row);
      updateNode(ctx, current.id, { tags: [...current.tags, String(payload.tag)] });
      return { result_node_id: current.id, before: JSON.stringify({ tags: current.tags }) };
    }
    case 'delete': {
      const current = targetOf(ctx, row);
      deleteNode(ctx, current.id);
      return { result_node_id: current.id, before: JSON.stringify(current) };
    }
  }
}

function revert(ctx: Context, row: ProposalRow) {
  const before = row.before ? (JSON.parse(row.before) as Record<string, unknown>) : {};
  switch (row.action) {
    case 'create':
      if (nodeExists(ctx, row.result_node_id)) deleteNode(ctx, row.result_node_id!);
      return;
    case 'update':
    case 'tag':
      targetOf(ctx, row);
      updateNode(ctx, row.target_node_id!, before as UpdateNode);
      return;
    case 'delete': {
      if (nodeExists(ctx, row.target_node_id))
        throw new HelixError('conflict', `node ${row.target_node_id} exists again: nothing to undo`);
      const node = before as unknown as KnowledgeNode;
      const restored = inTransaction(ctx.db, () =>
        insertNodeTx(
          ctx,
          { ...node, title: node.title, source: node.source },
          {
            id: node.id,
            created_at: node.created_at,
            operation: 'restore',
          },
        ),
      );
      ctx.bus.emit('node.created', {
        id: restored.id,
        namespace: restored.namespace,
        kind: restored.kind,
        version: restored.version,
      });
    }
  }
}

function markMirror(ctx: Context, id: string, status: ProposalStatus) {
  if (!nodeExists(ctx, id)) return;
  const mirror = getNode(ctx, id);
  const meta = (mirror.metadata.proposal ?? {}) as Record<string, unknown>;
  updateNode(ctx, id, { metadata: { ...mirror.metadata, proposal: { ...meta, status } } });
}

type Decision = 'approve' | 'reject' | 'undo';

function decide(
  ctx: Context,
  principal: Principal,
  id: string,
  decision: Decision,
  meta: DecisionMeta,
  autoRuleId?: string,
): Proposal {
  const row = readable(ctx, principal, id);
  assertCanDecide(principal, row);
  const wanted: ProposalStatus = decision === 'undo' ? 'approved' : 'pending';
  if (row.status !== wanted)
    throw new HelixError(
      'conflict',
      `proposal ${id} is ${row.status}: only a ${wanted} proposal can be ${decision === 'undo' ? 'undone' : `${decision}d`}`,
      {
        status: row.status,
      },
    );
  const status: ProposalStatus =
    decision === 'approve' ? 'approved' : decision === 'reject' ? 'rejected' : 'undone';
  const updated = inTransaction(ctx.db, () => {
    const applied = decision === 'approve' ? apply(ctx, row) : undefined;
    if (decision === 'undo') revert(ctx, row);
    const fields = {
      status,
      decided_at: ctx.clock.now().toISOString(),
      decided_by: principal.id,
      decision_note: meta.note ?? null,
      ...(autoRuleId ? { auto_rule_id: autoRuleId } : {}),
      ...(applied ?? {}),
    };
    saveDecision(ctx.db, id, fields);
    markMirror(ctx, id, status);
    return { ...row, ...fields };
  });
  audit(
    ctx,
    principal,
    autoRuleId ? 'proposal.auto_approve' : `proposal.${decision}`,
    updated,
    meta.requestId,
  );
  return presentProposal(updated);
}

export const approveProposal = (ctx: Context, p: Principal, id: string, meta: DecisionMeta = {}) =>
  decide(ctx, p, id, 'approve', meta);
export const rejectProposal = (ctx: Context, p: Principal, id: string, meta: DecisionMeta = {}) =>
  decide(ctx, p, id, 'reject', meta);
export const undoProposal = (ctx: Context, p: Principal, id: string, meta: DecisionMeta = {}) =>
  decide(ctx, p, id, 'undo', meta);

/** Each id is decided on its own: one failure does not stop (or roll back) the others. */
export function batchDecide(
  ctx: Context,
  principal: Principal,
  ids: readonly string[],
  decision: 'approve' | 'reject',
  meta: DecisionMeta = {},
) {
  return {
    results: ids.map((id) => {
      try {
        const p = decide(ctx, principal, id, decision, meta);
        return { id, ok: true, status: p.status, error: null };
      } catch (err) {
        if (!isHelixError(err)) throw err;
        return { id, ok: false, status: null, error: { code: err.code, message: err.message } };
      }
    }),
  };
}
