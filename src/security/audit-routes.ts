import { z } from 'zod';
import { authorize, type DomainRoutes, errorResponse } from '../http/route.js';
import { queryAudit } from './audit.js';
import { auditOutcomes } from './audit-entry.js';

const tags = ['security'];
const IsoTimestamp = z.iso.datetime({ offset: true }).transform((s) => new Date(s).toISOString());
const Text = z.string().min(1).max(256);

const Paging = {
  limit: z.coerce.number().int().min(1).max(1000).default(50),
  cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
};

export const AuditQuery = z
  .object({
    actor: Text.optional().describe('principal id (token, a JWT sub, local, anonymous)'),
    action: Text.optional().describe("'METHOD /route/pattern' or 'auth.failure'"),
    target: Text.optional().describe('resource id'),
    namespace: Text.optional(),
    outcome: z.enum(auditOutcomes).optional(),
    since: IsoTimestamp.optional().describe('at or after this time'),
    until: IsoTimestamp.optional().describe('before this time'),
    ...Paging,
  })
  .strict();

const AuditListQuery = z.object(Paging).strict();

const AuditRecordSchema = z.object({
  id: z.string(),
  at: z.string(),
  actor: z.string(),
  actor_via: z.string(),
  role: z.string().nullable(),
  action: z.string(),
  target: z.string().nullable(),
  namespace: z.string().nullable(),
  outcome: z.enum(auditOutcomes),
  status: z.number().int(),
  request_id: z.string(),
  ip: z.string().nullable(),
});
const AuditPageSchema = z.object({ items: z.array(AuditRecordSchema), next_cursor: z.string().nullable() });

const responses = {
  200: AuditPageSchema,
  400: errorResponse,
  401: errorResponse,
  403: errorResponse,
  429: errorResponse,
};

/** The audit trail, newest first; admins only, since it shows every principal's activity. */
export const auditRoutes: DomainRoutes = async (app, { ctx }) => {
  const listings = [
    {
      url: '/api/v1/audit/query',
      summary: 'Search the audit trail by actor, action, target, namespace, outcome and time range',
      querystring: AuditQuery,
    },
    {
      url: '/api/v1/audit',
      summary: 'The audit trail, newest first, unfiltered',
      querystring: AuditListQuery,
    },
  ];
  for (const { url, summary, querystring } of listings) {
    app.get(url, { schema: { tags, summary, querystring, response: responses } }, async (req) => {
      authorize(req.principal, 'admin');
      return queryAudit(ctx, req.query);
    });
  }
};
