import { z } from 'zod';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { authorizeIdentityAdmin } from '../policy.js';
import {
  AccessKeySchema,
  ApiKeySchema,
  CreateAccessKeyBody,
  CreateApiKeyBody,
  CreatedAccessKeySchema,
  CreatedApiKeySchema,
} from './schema.js';
import {
  createAccessKey,
  createApiKey,
  getApiKey,
  listAccessKeys,
  listApiKeys,
  revokeAccessKey,
  revokeApiKey,
} from './service.js';

const tags = ['security'];
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

/** API keys and consumer access keys: unscoped admins only; secrets appear once, in the 201. */
export const keyRoutes: DomainRoutes = async (app, { ctx }) => {
  app.post(
    '/api/v1/keys',
    {
      schema: {
        tags,
        summary: 'Create an API key with a role and namespaces (the key is shown once)',
        body: CreateApiKeyBody,
        response: { 201: CreatedApiKeySchema, ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      const created = createApiKey(ctx, req.body, req.principal.id);
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/api/v1/keys',
    {
      schema: {
        tags,
        summary: 'API keys (never their secrets)',
        response: { 200: z.object({ items: z.array(ApiKeySchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return { items: listApiKeys(ctx.db) };
    },
  );

  app.get(
    '/api/v1/keys/:id',
    {
      schema: {
        tags,
        summary: 'One API key (never its secret)',
        params: IdParams,
        response: { 200: ApiKeySchema, ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return getApiKey(ctx.db, req.params.id);
    },
  );

  app.delete(
    '/api/v1/keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an API key (it stops working at once; the record stays)',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      revokeApiKey(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/api/v1/access-keys',
    {
      schema: {
        tags,
        summary: 'Create a consumer access key bound to a permission template (shown once)',
        body: CreateAccessKeyBody,
        response: { 201: CreatedAccessKeySchema, ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      const created = createAccessKey(ctx, req.body);
      return reply.status(201).header('cache-control', 'no-store').send(created);
    },
  );

  app.get(
    '/api/v1/access-keys',
    {
      schema: {
        tags,
        summary: 'Consumer access keys (never their secrets)',
        querystring: z.object({ consumer_id: z.uuid('consumer_id: not a UUID').optional() }).strict(),
        response: { 200: z.object({ items: z.array(AccessKeySchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return { items: listAccessKeys(ctx.db, req.query) };
    },
  );

  app.delete(
    '/api/v1/access-keys/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an access key (it stops working at once; the record stays)',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      revokeAccessKey(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
