import cors from '@fastify/cors';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, type FastifyReply } from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { HelixConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import { authenticate } from '../security/authenticate.js';
import type { Principal } from '../security/principal.js';
import { HelixError } from '../core/errors.js';
import { errorBody, installErrorHandling } from './errors.js';
import { installMetrics } from './metrics.js';
import { type OpenApiInfo, installOpenApi } from './openapi.js';
import { requestIdFor } from './request-id.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
  }
  interface FastifyContextConfig {
    /** reachable without credentials (health, metrics, docs, the token endpoint) */
    public?: boolean;
  }
}

export interface HttpServerOptions {
  config: HelixConfig;
  logger: Logger;
  openapi: OpenApiInfo;
}

export type HelixServer = FastifyInstance;

/**
 * The middleware pipeline both servers (core and AI layer) mount: request ids, logging, CORS,
 * authentication, metrics, one error shape, zod validation and OpenAPI.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HelixServer> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    bodyLimit: config.server.body_limit_bytes,
    return503OnClosing: true,
    forceCloseConnections: false,
    // URLs the router rejects before any hook runs (bad %-escapes, overlong params): same error shape
    frameworkErrors: (err, req, reply) => {
      const message =
        err.code === 'FST_ERR_MAX_PARAM_LENGTH'
          ? 'path: a path parameter is too long'
          : 'path: not a valid URL (bad %-escape)';
      void reply.header('x-request-id', req.id);
      const body = errorBody(new HelixError('validation_error', message, { field: 'path' }), req.id);
      return (reply as unknown as FastifyReply).status(400).send(body);
    },
  });

  // graceful shutdown: a response finished while closing ends its keep-alive connection, so an
  // idle client cannot hold the process until shutdown_timeout_secs
  let closing = false;
  app.addHook('preClose', async () => {
    closing = true;
  });
  app.addHook('onSend', async (_req, reply) => {
    if (closing) void reply.header('connection', 'close');
  });

  app.setValidatorCompiler(validatorCompiler);
  // Response schemas document the API; presenters already allowlist fields, so serialize plainly
  // instead of re-validating every response (a measurable cost on the hot search path).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.decorateRequest('principal', null as unknown as Principal);
  app.addHook('onRequest', async (req, reply) => {
    void reply.header('x-request-id', req.id);
    if (req.routeOptions.config?.public || req.url.startsWith('/api/docs')) return;
    req.principal = authenticate(config, req.headers.authorization);
  });

  installErrorHandling(app);
  await app.register(cors, {
    origin: config.server.cors_allowed_origins.length > 0 ? config.server.cors_allowed_origins : false,
    credentials: true,
    exposedHeaders: ['x-request-id', 'retry-after'],
  });
  installMetrics(app);
  await installOpenApi(app, options.openapi);
  return app;
}
