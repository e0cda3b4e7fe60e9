import { z } from 'zod';
import { authorize, type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { createRule, deleteRule, updateRule } from './auto-approve.js';
import { blockSender, unblockSender } from './blocked-senders.js';
import {
  AutoApproveRuleSchema,
  BlockedSenderSchema,
  CreateAutoApproveRuleBody,
  CreateBlockedSenderBody,
  SafeguardListQuery,
  UpdateAutoApproveRuleBody,
} from './schema.js';
import { listAutoApproveRules, listBlockedSenders } from './store.js';

const tags = ['exchange'];
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 429: errorResponse };

/**
 * Safeguards for what arrives from outside: blocked senders and auto-approve rules. Admin only,
 * reads too: the lists name people and say which proposals skip review. Writes are audited by
 * the pipeline's onResponse hook like every other write.
 */
export const safeguardRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/exchange/blocked-senders',
    {
      schema: {
        tags,
        summary: 'List blocked senders (exact address, @domain or glob, per channel)',
        querystring: SafeguardListQuery,
        response: {
          200: z.object({ items: z.array(BlockedSenderSchema), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return listBlockedSenders(ctx.db, req.query.limit, req.query.cursor);
    },
  );

  app.post(
    '/api/v1/exchange/blocked-senders',
    {
      schema: {
        tags,
        summary: 'Block a sender: adapters drop their messages',
        body: CreateBlockedSenderBody,
        response: { 201: BlockedSenderSchema, 409: errorResponse, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      return reply.status(201).send(blockSender(ctx, req.body, req.principal.id));
    },
  );

  app.delete(
    '/api/v1/exchange/blocked-senders/:id',
    {
      schema: {
        tags,
        summary: 'Unblock a sender',
        params: IdParams,
        response: { 204: z.null(), 404: errorResponse, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      unblockSender(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/exchange/auto-approve-rules',
    {
      schema: {
        tags,
        summary: 'List auto-approve rules (the most specific matching rule decides)',
        querystring: SafeguardListQuery,
        response: {
          200: z.object({ items: z.array(AutoApproveRuleSchema), next_cursor: z.string().nullable() }),
          ...errors,
        },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return listAutoApproveRules(ctx.db, req.query.limit, req.query.cursor);
    },
  );

  app.post(
    '/api/v1/exchange/auto-approve-rules',
    {
      schema: {
        tags,
        summary: 'Add an auto-approve rule: proposals it covers at or above min_confidence skip review',
        body: CreateAutoApproveRuleBody,
        response: { 201: AutoApproveRuleSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      return reply.status(201).send(createRule(ctx, req.body, req.principal.id));
    },
  );

  app.put(
    '/api/v1/exchange/auto-approve-rules/:id',
    {
      schema: {
        tags,
        summary: 'Change an auto-approve rule (fields given are replaced; null clears kind, source)',
        params: IdParams,
        body: UpdateAutoApproveRuleBody,
        response: { 200: AutoApproveRuleSchema, 404: errorResponse, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      return updateRule(ctx, req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/exchange/auto-approve-rules/:id',
    {
      schema: {
        tags,
        summary: 'Delete an auto-approve rule',
        params: IdParams,
        response: { 204: z.null(), 404: errorResponse, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      deleteRule(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
