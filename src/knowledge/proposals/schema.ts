import { z } from 'zod';
import { CreateNodeBody, Namespace, Tag, UpdateNodeBody } from '../nodes/schema.js';

export const proposalActions = ['create', 'update', 'delete', 'tag'] as const;
export const proposalStatuses = ['pending', 'approved', 'rejected', 'undone'] as const;
export type ProposalAction = (typeof proposalActions)[number];
export type ProposalStatus = (typeof proposalStatuses)[number];

const Confidence = z.number().min(0).max(1).default(0.5).describe('how sure the proposer is, 0..1');
const Reason = z.string().max(2000).optional().describe('why the change is proposed');
const Target = z.uuid('target_node_id: not a UUID').describe('the node the change applies to');

/** What a proposer asks for: one change to one node. */
export const CreateProposalBody = z.discriminatedUnion('action', [
  z
    .object({ action: z.literal('create'), node: CreateNodeBody, confidence: Confidence, reason: Reason })
    .strict(),
  z
    .object({
      action: z.literal('update'),
      target_node_id: Target,
      patch: UpdateNodeBody,
      confidence: Confidence,
      reason: Reason,
    })
    .strict(),
  z
    .object({ action: z.literal('delete'), target_node_id: Target, confidence: Confidence, reason: Reason })
    .strict(),
  z
    .object({
      action: z.literal('tag'),
      target_node_id: Target,
      tag: Tag,
      confidence: Confidence,
      reason: Reason,
    })
    .strict(),
]);
export type CreateProposal = z.output<typeof CreateProposalBody>;

export const ProposalSchema = z.object({
  id: z.string(),
  action: z.enum(proposalActions),
  status: z.enum(proposalStatuses),
  namespace: z.string(),
  target_node_id: z.string().nullable(),
  payload: z.record(z.string(), z.unknown()).describe('the node (create), patch (update) or {tag} (tag)'),
  confidence: z.number(),
  reason: z.string().nullable(),
  source: z.string(),
  proposed_by: z.string(),
  created_at: z.string(),
  decided_at: z.string().nullable(),
  decided_by: z.string().nullable(),
  decision_note: z.string().nullable(),
  auto_rule_id: z.string().nullable(),
  result_node_id: z.string().nullable().describe('the node the approval created or changed'),
});
export type Proposal = z.infer<typeof ProposalSchema>;

export const ListProposalsQuery = z
  .object({
    status: z.enum(proposalStatuses).optional(),
    namespace: Namespace.optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
  })
  .strict();
export type ListProposals = z.output<typeof ListProposalsQuery>;

export const DecisionBody = z
  .object({ note: z.string().max(2000).optional().describe('why (kept with the decision)') })
  .strict();

export const BatchBody = z
  .object({
    ids: z.array(z.uuid('ids: not a UUID')).min(1).max(500),
    decision: z.enum(['approve', 'reject']),
    note: z.string().max(2000).optional(),
  })
  .strict();

export const BatchResponse = z.object({
  results: z.array(
    z.object({
      id: z.string(),
      ok: z.boolean(),
      status: z.enum(proposalStatuses).nullable(),
      error: z.object({ code: z.string(), message: z.string() }).nullable(),
    }),
  ),
});
