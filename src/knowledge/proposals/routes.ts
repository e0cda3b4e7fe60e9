import { z } from 'zod';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import {
  BatchBody,
  BatchResponse,
  CreateProposalBody,
  DecisionBody,
  ListProposalsQuery,
  ProposalSchema,
} from './schema.js';
import {
  approveProposal,
  batchDecide,
  getProposal,
  listProposals,
  proposeChange,
  rejectProposal,
  undoProposal,
} from './service.js';

const tags = ['exchange'];
const ProposalPage = z.object({ items: z.array(ProposalSchema), next_cursor: z.string().nullable() });
const errors = { 400: errorResponse, 403: errorResponse, 404: errorResponse, 409: errorResponse };

/**
 * Proposed changes (from view/edit-tier keys, usually agents over MCP) and the owner's decisions.
 * Approving applies the change through the ordinary node services; undo reverts an approved one.
 */
export const proposalRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/exchange/proposals',
    {
      schema: {
        tags,
        summary: 'List proposals, newest first (filter by status)',
        querystring: ListProposalsQuery,
        response: { 200: ProposalPage, ...errors },
      },
    },
    async (req) => listProposals(ctx, req.principal, req.query),
  );

  app.post(
    '/api/v1/exchange/proposals',
    {
      schema: {
        tags,
        summary: 'Propose a change (create, update, delete or tag a node) for the owner to decide',
        body: CreateProposalBody,
        response: { 201: ProposalSchema, ...errors },
      },
    },
    async (req, reply) =>
      reply
        .status(201)
        .send(await proposeChange(ctx, req.principal, req.body, { source: 'rest', requestId: req.id })),
  );

  app.get(
    '/api/v1/exchange/proposals/:id',
    {
      schema: {
        tags,
        summary: 'Read a proposal',
        params: IdParams,
        response: { 200: ProposalSchema, ...errors },
      },
    },
    async (req) => getProposal(ctx, req.principal, req.params.id),
  );

  const decisions = [
    ['approve', 'Approve a pending proposal: the change is applied', approveProposal],
    ['reject', 'Reject a pending proposal', rejectProposal],
    ['undo', 'Undo an approved proposal: the change is reverted', undoProposal],
  ] as const;
  for (const [verb, summary, decide] of decisions) {
    app.post(
      `/api/v1/exchange/proposals/:id/${verb}`,
      {
        schema: {
          tags,
          summary,
          params: IdParams,
          body: DecisionBody.optional(),
          response: { 200: ProposalSchema, ...errors },
        },
      },
      async (req) => decide(ctx, req.principal, req.params.id, { note: req.body?.note, requestId: req.id }),
    );
  }

  app.post(
    '/api/v1/exchange/proposals/batch',
    {
      schema: {
        tags,
        summary: 'Approve or reject several proposals; each succeeds or fails on its own',
        body: BatchBody,
        response: { 200: BatchResponse, ...errors },
      },
    },
    async (req) =>
      batchDecide(ctx, req.principal, req.body.ids, req.body.decision, {
        note: req.body.note,
        requestId: req.id,
      }),
  );
};
