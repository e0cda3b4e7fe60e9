import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { HelixError } from '../../core/errors.js';
import { type DomainRoutes, errorResponse, IdParams } from '../../http/route.js';
import { authorizeIdentityAdmin } from '../policy.js';
import { createFailureLimiter } from './failure-limit.js';
import {
  ClientSchema,
  CreateClientBody,
  CreatedClientSchema,
  OAuthErrorSchema,
  TokenRequestDoc,
  TokenResponse,
} from './schema.js';
import {
  authenticateClient,
  type ClientCredentials,
  createClient,
  issueToken,
  listClients,
  OAuthError,
  revokeClient,
} from './service.js';

const tags = ['security'];
const FORM = 'application/x-www-form-urlencoded';
const errors = { 400: errorResponse, 401: errorResponse, 403: errorResponse, 404: errorResponse };

/** Form fields; a repeated field becomes an array so the handler can refuse it (RFC 6749 §3.2). */
function parseForm(body: string): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(body)) {
    const prior = out[k];
    out[k] = prior === undefined ? v : [...(Array.isArray(prior) ? prior : [prior]), v];
  }
  return out;
}

/** RFC 6749 §2.3.1: Basic credentials are each form-urlencoded before base64. */
function basicCredentials(header: string | undefined): ClientCredentials | null | undefined {
  if (header === undefined) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!m) return null;
  const decoded = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  try {
    const unform = (s: string) => decodeURIComponent(s.replace(/\+/g, ' '));
    return { clientId: unform(decoded.slice(0, colon)), clientSecret: unform(decoded.slice(colon + 1)) };
  } catch {
    return null;
  }
}

function credentialsOf(req: FastifyRequest, form: Record<string, string>): ClientCredentials {
  const basic = basicCredentials(req.headers.authorization);
  const inForm = form.client_id !== undefined || form.client_secret !== undefined;
  if (basic && inForm)
    throw new OAuthError(
      'invalid_request',
      'authenticate the client one way only: HTTP Basic or form fields',
    );
  if (basic) return basic;
  if (basic === null) throw new OAuthError('invalid_client', 'malformed HTTP Basic credentials', 401);
  if (!form.client_id || !form.client_secret)
    throw new OAuthError(
      'invalid_client',
      'client authentication required (HTTP Basic or client_id and client_secret)',
      401,
    );
  return { clientId: form.client_id, clientSecret: form.client_secret };
}

function sendOAuthError(req: FastifyRequest, reply: FastifyReply, err: OAuthError) {
  if (err.error === 'invalid_client' && req.headers.authorization?.match(/^Basic/i))
    void reply.header('www-authenticate', 'Basic realm="helix", charset="UTF-8"');
  return reply.status(err.status).send({ error: err.error, error_description: err.description });
}

/** OAuth2 client credentials (RFC 6749 §4.4): admins register clients, clients trade secrets for JWTs. */
export const oauthRoutes: DomainRoutes = async (app, { ctx }) => {
  const failures = createFailureLimiter(ctx.config);
  app.addContentTypeParser(FORM, { parseAs: 'string', bodyLimit: 16 * 1024 }, (_req, body, done) =>
    done(null, parseForm(body as string)),
  );

  app.post(
    '/api/v1/oauth/token',
    {
      config: { public: true },
      // the form is checked by hand below so that every failure is an RFC 6749 §5.2 error
      attachValidation: true,
      schema: {
        tags,
        summary: 'Trade client credentials for a short-lived access token (RFC 6749 §4.4, form body)',
        security: [],
        consumes: [FORM],
        body: TokenRequestDoc,
        response: {
          200: TokenResponse,
          400: OAuthErrorSchema,
          401: OAuthErrorSchema,
          415: errorResponse,
          429: errorResponse,
          503: OAuthErrorSchema,
        },
      },
    },
    async (req, reply) => {
      void reply.header('cache-control', 'no-store').header('pragma', 'no-cache');
      const peer = `ip:${req.raw.socket.remoteAddress ?? 'unknown'}`;
      await failures?.check(peer);
      // not an OAuth request at all (JSON, no body): the usual Helix error, not an RFC one
      if (!(req.headers['content-type'] ?? '').toLowerCase().startsWith(FORM)) {
        await failures?.fail(peer);
        throw new HelixError('unsupported_media_type', `content-type: send the token request as ${FORM}`, {
          field: 'content-type',
        });
      }
      try {
        const raw = req.body as Record<string, unknown>;
        for (const [k, v] of Object.entries(raw))
          if (typeof v !== 'string') throw new OAuthError('invalid_request', `parameter ${k} is repeated`);
        const form = raw as Record<string, string>;
        if (!form.grant_type) throw new OAuthError('invalid_request', 'grant_type is required');
        if (form.grant_type !== 'client_credentials')
          throw new OAuthError('unsupported_grant_type', 'only grant_type=client_credentials is supported');
        const client = authenticateClient(ctx.db, credentialsOf(req, form));
        return await issueToken(ctx, client, form.scope);
      } catch (err) {
        if (!(err instanceof OAuthError)) throw err;
        if (err.status < 500) await failures?.fail(peer);
        return sendOAuthError(req, reply, err);
      }
    },
  );

  app.post(
    '/api/v1/oauth/clients',
    {
      schema: {
        tags,
        summary: 'Register an OAuth2 client (its secret is shown once)',
        body: CreateClientBody,
        response: { 201: CreatedClientSchema, ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      return reply.status(201).header('cache-control', 'no-store').send(createClient(ctx, req.body));
    },
  );

  app.get(
    '/api/v1/oauth/clients',
    {
      schema: {
        tags,
        summary: 'OAuth2 clients (never their secrets)',
        response: { 200: z.object({ items: z.array(ClientSchema) }), ...errors },
      },
    },
    async (req) => {
      authorizeIdentityAdmin(req.principal);
      return { items: listClients(ctx.db) };
    },
  );

  app.delete(
    '/api/v1/oauth/clients/:id',
    {
      schema: {
        tags,
        summary: 'Revoke an OAuth2 client and every token it holds',
        params: IdParams,
        response: { 204: z.null(), ...errors },
      },
    },
    async (req, reply) => {
      authorizeIdentityAdmin(req.principal);
      revokeClient(ctx, req.params.id);
      return reply.status(204).send(null);
    },
  );
};
