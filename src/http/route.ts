import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Context } from '../core/context.js';
import { HelixError } from '../core/errors.js';
import { authorize, canUseNamespace } from '../security/policy.js';
import type { Principal } from '../security/principal.js';

export { authorize };

/** Every domain's routes.ts is one of these, registered by the server with the app context. */
export type DomainRoutes = FastifyPluginAsyncZod<{ ctx: Context }>;

export const IdParams = z.object({ id: z.uuid('id: not a UUID') }).strict();

export const errorResponse = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.record(z.string(), z.unknown()).nullable(),
      request_id: z.string(),
    }),
  })
  .describe('error');

/** The namespace a listing or search runs in: the one asked for (if allowed) or the caller's only one. */
export function scopedNamespace(principal: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined) {
    authorize(principal, 'read', { namespace: requested });
    return requested;
  }
  if (principal.namespaces.includes('*')) return undefined;
  if (principal.namespaces.length === 1) return principal.namespaces[0];
  throw new HelixError('validation_error', 'namespace: required for a principal with several namespaces', {
    field: 'namespace',
  });
}

export { canUseNamespace };
