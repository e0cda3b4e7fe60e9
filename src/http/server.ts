import type { TLSSocket } from 'node:tls';
import cors from '@fastify/cors';
import Fastify, {
  type FastifyBaseLogger,
  type FastifyInstance,
  type FastifyReply,
  LogController,
} from 'fastify';
import { validatorCompiler } from 'fastify-type-provider-zod';
import type { HelixConfig } from '../core/config/schema.js';
import type { Logger } from '../core/logger.js';
import { type AuditEntry, auditEntryFor } from '../security/audit-entry.js';
import { type Authenticator, authenticate } from '../security/authenticate.js';
import type { Principal } from '../security/principal.js';
import {
  createRateLimiter,
  type RateLimiter,
  type RateLimitState,
  rateLimitKey,
} from '../security/rate-limit.js';
import { HelixError } from '../core/errors.js';
import { errorBody, installErrorHandling } from './errors.js';
import { installMetrics } from './metrics.js';
import { type OpenApiInfo, installOpenApi } from './openapi.js';
import { requestIdFor } from './request-id.js';
import { securityHeaders } from './security-headers.js';

declare module 'fastify' {
  interface FastifyRequest {
    principal: Principal;
    /** this request's rate-limit state; null when requests are not limited */
    rateLimit: RateLimitState | null;
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
  /**
   * Receives one entry per audited request (writes, 401s, 403s). The server that owns the
   * database passes it in, so this pipeline never imports storage.
   */
  audit?: (entry: AuditEntry) => void;
  /**
   * Resolves the caller from the Authorization header. The core passes one that also knows the
   * keys in its database; without it only the shared token and JWTs are accepted.
   */
  authenticate?: Authenticator;
  /**
   * The per-identity limiter, shared with the other surfaces (gRPC, WebSocket) so an identity has
   * one budget wherever it calls from; its owner closes it. Without it the server makes its own.
   */
  limiter?: RateLimiter | null;
}

export type HelixServer = FastifyInstance;

const PERMISSIONS_POLICY =
  'accelerometer=(), camera=(), display-capture=(), geolocation=(), gyroscope=(), microphone=(), ' +
  'payment=(), usb=()';
const HSTS = 'max-age=15552000; includeSubDomains';

/**
 * The middleware pipeline both servers (core and AI layer) mount: request ids, logging, security
 * headers, CORS, authentication, rate limiting, metrics, one error shape, zod validation and OpenAPI.
 */
export async function createHttpServer(options: HttpServerOptions): Promise<HelixServer> {
  const { config } = options;
  const app = Fastify({
    loggerInstance: options.logger as unknown as FastifyBaseLogger,
    genReqId: requestIdFor,
    requestIdHeader: false,
    // Fastify logs two lines per request ("incoming", "completed"); one line from onResponse below
    // says the same. Each line is a write(2), and on the AI layer's hot path that was 0.2–0.9 ms.
    logController: new LogController({ disableRequestLogging: true }),
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

  // Security headers (helmet's, computed once: see security-headers.ts), set first in the
  // onRequest hook below, so they are already on the raw response when auth or the rate limiter
  // answers 401/429.
  const security = securityHeaders({
    contentSecurityPolicy: {
      useDefaults: false,
      // Swagger UI 6 ships no inline scripts or styles (its csp.json lists no hashes), so 'self'
      // suffices; data: images are its CSS icons. No CDN, no validator.swagger.io call-outs.
      directives: {
        'default-src': ["'self'"],
        'base-uri': ["'self'"],
        'connect-src': ["'self'"],
        'font-src': ["'self'", 'data:'],
        'form-action': ["'self'"],
        'frame-ancestors': ["'none'"],
        'img-src': ["'self'", 'data:'],
        'object-src': ["'none'"],
        'script-src': ["'self'"],
        'script-src-attr': ["'none'"],
        'style-src': ["'self'"],
      },
    },
    frameguard: { action: 'deny' },
    referrerPolicy: { policy: 'no-referrer' },
    // we serve plain HTTP on loopback; HSTS there would pin browsers to a TLS port that does not
    // exist, so it is sent below only on a TLS socket
    hsts: false,
  });
  const limiter =
    options.limiter !== undefined
      ? options.limiter
      : createRateLimiter(config, Date.now, { logger: options.logger });
  if (limiter && options.limiter === undefined) app.addHook('onClose', () => limiter.close());
  const resolve: Authenticator = options.authenticate ?? ((header) => authenticate(config, header));
  app.decorateRequest('principal', null as unknown as Principal);
  app.decorateRequest('rateLimit', null);
  app.addHook('onRequest', async (req, reply) => {
    for (const [name, value] of security.set) reply.raw.setHeader(name, value);
    for (const name of security.removed) reply.raw.removeHeader(name);
    void reply.header('x-request-id', req.id);
    // helmet does not set Permissions-Policy: deny the powerful browser features an API never needs
    void reply.header('permissions-policy', PERMISSIONS_POLICY);
    if ((req.raw.socket as TLSSocket).encrypted) void reply.header('strict-transport-security', HSTS);
    // public routes (health, metrics, docs, the OpenAPI document) skip auth and the limiter
    if (req.routeOptions.config?.public || req.url.startsWith('/api/docs')) return;
    // the socket's peer, never a client-set header such as X-Forwarded-For
    const peer = req.raw.socket.remoteAddress;
    let principal: Principal;
    try {
      principal = await resolve(req.headers.authorization, { ip: peer });
    } catch (err) {
      // failed attempts count against the peer address, so guessing tokens is rate limited too
      if (limiter) await limiter.consume(rateLimitKey(undefined, peer));
      throw err;
    }
    req.principal = principal;
    if (limiter) req.rateLimit = await limiter.consume(rateLimitKey(principal, peer));
  });

  app.addHook('onResponse', async (req, reply) => {
    req.log.info(
      {
        method: req.method,
        url: req.routeOptions.url ?? req.url.split('?')[0],
        statusCode: reply.statusCode,
        ms: Math.round(reply.elapsedTime * 100) / 100,
      },
      'request completed',
    );
  });

  const audit = options.audit;
  if (audit) {
    app.addHook('onResponse', async (req, reply) => {
      // Only the route pattern, path ids and a body's namespace field reach the entry: no header
      // value, body or query string, so no secret can be copied into a row.
      try {
        const entry = auditEntryFor({
          method: req.method,
          route: req.routeOptions.url,
          status: reply.statusCode,
          principal: req.principal ?? null,
          params: req.params,
          body: req.body,
          requestId: req.id,
          ip: req.raw.socket.remoteAddress,
        });
        if (entry) audit(entry);
      } catch (err) {
        req.log.error({ err }, 'audit hook failed');
      }
    });
  }

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
