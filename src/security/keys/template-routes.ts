import { z } from 'zod';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { authorizeIdentityAdmin } from '../policy.js';
import { CreateTemplateBody, TemplateSchema, UpdateTemplateBody } from './schema.js';
import { createTemplate, deleteTemplate, listTemplates, updateTemplate } from './templates.js';

const tags = ['security'];
const errors = {
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
};

/** Permission templates: what an access key may see and do (tier, namespace, tags, kinds, actions). */
export const templateRoutes: DomainRoutes = async (app, { ctx }) => {
  app.post(
    '/api/v1/permission-templates',
    {
      schema: {
        tags,
        summary: 'Create a permission template',
        body: CreateTemplateBody,
        response: { 201: TemplateSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      return reply.status(201).send(createTemplate(ctx, req.body));
    },
  );

  app.get(
    '/api/v1/permission-templates',
    {
      schema: {
        tags,
        summary: 'Permission templates',
        response: { 200: z.object({ items: z.array(TemplateSchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return { items: listTemplates(ctx.db) };
    },
  );

  app.put(
    '/api/v1/permission-templates/:id',
    {
      schema: {
        tags,
        summary: 'Change a template (applies to its keys at their next request)',
        params: IdParams,
        body: UpdateTemplateBody,
        response: { 200: TemplateSchema, ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return updateTemplate(ctx, req.params.id, req.body);
    },
  );

  app.delete(
    '/api/v1/permission-templates/:id',
    {
      schema: {
        tags,
        summary: 'Delete a template no access key uses (409 otherwise)',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      deleteTemplate(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
