import { z } from 'zod';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { authorizeIdentityAdmin } from '../policy.js';
import { AccessKeySchema, ConsumerSchema, CreateConsumerBody, WhoamiSchema } from './schema.js';
import { getAccessKey, getApiKey, listAccessKeys } from './service.js';
import { consumerOfKey, createConsumer, deleteConsumer, getConsumer, listConsumers } from './templates.js';

const tags = ['security'];
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};

/** Consumer profiles (who holds access keys) and `whoami` for any authenticated caller. */
export const consumerRoutes: DomainRoutes = async (app, { ctx }) => {
  app.get(
    '/api/v1/consumers/whoami',
    {
      schema: {
        tags,
        summary: 'Who am I: identity, role, namespaces, scope, and the consumer and key behind it',
        response: { 200: WhoamiSchema, 401: errorResponse },
      },
    },
    async (req) => {
      const p = req.principal;
      let key = null;
      let consumer = null;
      if (p.via === 'access_key') {
        const k = getAccessKey(ctx.db, p.id);
        key = { id: k.id, name: k.name, prefix: k.prefix, expires_at: k.expires_at };
        consumer = consumerOfKey(ctx.db, p.id);
      } else if (p.via === 'api_key') {
        const k = getApiKey(ctx.db, p.id);
        key = { id: k.id, name: k.name, prefix: k.prefix, expires_at: k.expires_at };
      }
      const scope = p.scope
        ? {
            ...(p.scope.tier ? { tier: p.scope.tier } : {}),
            ...(p.scope.tags ? { tags: [...p.scope.tags] } : {}),
            ...(p.scope.kinds ? { kinds: [...p.scope.kinds] } : {}),
            ...(p.scope.actions ? { actions: [...p.scope.actions] } : {}),
          }
        : null;
      return { id: p.id, via: p.via, role: p.role, namespaces: [...p.namespaces], scope, consumer, key };
    },
  );

  app.post(
    '/api/v1/consumers',
    {
      schema: {
        tags,
        summary: 'Create a consumer profile (an app, agent or person holding access keys)',
        body: CreateConsumerBody,
        response: { 201: ConsumerSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      return reply.status(201).send(createConsumer(ctx, req.body));
    },
  );

  app.get(
    '/api/v1/consumers',
    {
      schema: {
        tags,
        summary: 'Consumer profiles',
        response: { 200: z.object({ items: z.array(ConsumerSchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return { items: listConsumers(ctx.db) };
    },
  );

  app.get(
    '/api/v1/consumers/:id',
    {
      schema: {
        tags,
        summary: 'A consumer profile with its access keys (never their secrets)',
        params: IdParams,
        response: { 200: ConsumerSchema.extend({ access_keys: z.array(AccessKeySchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      const consumer = getConsumer(ctx.db, req.params.id);
      return { ...consumer, access_keys: listAccessKeys(ctx.db, { consumer_id: consumer.id }) };
    },
  );

  app.delete(
    '/api/v1/consumers/:id',
    {
      schema: {
        tags,
        summary: 'Delete a consumer and its access keys',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      deleteConsumer(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
