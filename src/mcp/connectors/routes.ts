import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../../core/context.js';
import { authorize, errorResponse } from '../../http/route.js';
import type { ConnectorPool } from './pool.js';
import {
  CallBody,
  CallResponse,
  ConnectorBody,
  ConnectorParams,
  ConnectorSchema,
  ToolsResponse,
} from './schema.js';
import {
  createConnector,
  deleteConnector,
  getConnector,
  listConnectors,
  replaceConnector,
  type StoredConnector,
} from './store.js';

const tags = ['mcp'];
const errors = {
  400: errorResponse,
  403: errorResponse,
  404: errorResponse,
  409: errorResponse,
  503: errorResponse,
};

/**
 * MCP servers Helix uses as a client. Only admins add or change them (a stdio connector runs a
 * program); any reader may list them and their tools. Secrets appear only as names.
 */
export const connectorRoutes: FastifyPluginAsyncZod<{ ctx: Context; pool: ConnectorPool }> = async (
  app,
  { ctx, pool },
) => {
  const present = (c: StoredConnector) => ({ ...c, breaker: pool.state(c.id) });

  app.get(
    '/api/v1/mcp/connectors',
    {
      schema: {
        tags,
        summary: 'List MCP connectors (from [mcp] servers and added here)',
        response: { 200: z.object({ items: z.array(ConnectorSchema) }), ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return { items: listConnectors(ctx).map(present) };
    },
  );

  app.post(
    '/api/v1/mcp/connectors',
    {
      schema: {
        tags,
        summary: 'Add an MCP connector: a stdio command or an HTTP URL (secrets by name only)',
        body: ConnectorBody,
        response: { 201: ConnectorSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      return reply.status(201).send(present(createConnector(ctx, req.body)));
    },
  );

  app.get(
    '/api/v1/mcp/connectors/:id',
    {
      schema: {
        tags,
        summary: 'Read an MCP connector',
        params: ConnectorParams,
        response: { 200: ConnectorSchema, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      return present(getConnector(ctx, req.params.id));
    },
  );

  app.put(
    '/api/v1/mcp/connectors/:id',
    {
      schema: {
        tags,
        summary: 'Replace an MCP connector',
        params: ConnectorParams,
        body: ConnectorBody,
        response: { 200: ConnectorSchema, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'admin');
      const c = replaceConnector(ctx, req.params.id, req.body);
      pool.reset(c.id);
      return present(c);
    },
  );

  app.delete(
    '/api/v1/mcp/connectors/:id',
    {
      schema: {
        tags,
        summary: 'Remove an MCP connector',
        params: ConnectorParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorize(req.principal, 'admin');
      deleteConnector(ctx, req.params.id);
      pool.reset(req.params.id);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/mcp/connectors/:id/tools',
    {
      schema: {
        tags,
        summary: "List a connector's tools (503 while its circuit breaker is open)",
        params: ConnectorParams,
        response: { 200: ToolsResponse, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'read');
      const c = getConnector(ctx, req.params.id);
      const tools = await pool.listTools(c);
      return { connector_id: c.id, breaker: pool.state(c.id), tools };
    },
  );

  app.post(
    '/api/v1/mcp/connectors/:id/call',
    {
      schema: {
        tags,
        summary: "Call one of a connector's tools (for the AI layer)",
        params: ConnectorParams,
        body: CallBody,
        response: { 200: CallResponse, ...errors },
      },
    },
    async (req) => {
      authorize(req.principal, 'write');
      const c = getConnector(ctx, req.params.id);
      return { connector_id: c.id, ...(await pool.callTool(c, req.body.tool, req.body.arguments)) };
    },
  );
};
