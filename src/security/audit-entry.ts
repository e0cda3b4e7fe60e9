import type { Principal } from './principal.js';

export type AuditOutcome = 'success' | 'denied' | 'failure' | 'error';
export const auditOutcomes = ['success', 'denied', 'failure', 'error'] as const;

/** One audit fact, as the HTTP pipeline reports it; the store adds the id and the time. */
export interface AuditEntry {
  actor: string;
  actor_via: Principal['via'];
  role: Principal['role'] | null;
  /** the route pattern with its method (`POST /api/v1/nodes`), or `auth.failure` */
  action: string;
  /** the resource id from the path, when the route has one */
  target: string | null;
  namespace: string | null;
  outcome: AuditOutcome;
  status: number;
  request_id: string;
  ip: string | null;
}

/** What the pipeline knows when a response has gone out. Nothing here is a header or raw body. */
export interface ResponseFacts {
  method: string;
  /** the matched route pattern (never the URL, which could carry a query string) */
  route: string | undefined;
  status: number;
  principal: Principal | null;
  params: unknown;
  body: unknown;
  requestId: string;
  ip: string | undefined;
}

const READS = new Set(['GET', 'HEAD', 'OPTIONS']);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const NAMESPACE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
/** a principal id (a JWT `sub`) is signed but client-chosen: bound its size and alphabet */
const clipActor = (id: string) => id.replace(/[^\w@.:+-]/g, '_').slice(0, 128);

export function outcomeOf(status: number): AuditOutcome {
  if (status >= 500) return 'error';
  if (status === 403) return 'denied';
  if (status >= 400) return 'failure';
  return 'success';
}

/**
 * The target is a path id only when it is UUID-shaped: a path segment that is not (a share
 * token, say) is never copied into the row, so no secret can land there by construction.
 */
function targetOf(params: unknown): string | null {
  if (typeof params !== 'object' || params === null) return null;
  const p = params as Record<string, unknown>;
  const keys = ['id', ...Object.keys(p).filter((k) => k !== 'id' && k.endsWith('_id'))];
  for (const k of keys) {
    const v = p[k];
    if (typeof v === 'string' && UUID.test(v)) return v.toLowerCase();
  }
  return null;
}

/** Only a body's `namespace` field, and only when it is namespace-shaped; else the principal's own. */
function namespaceOf(body: unknown, principal: Principal | null): string | null {
  if (typeof body === 'object' && body !== null && !Array.isArray(body)) {
    const ns = (body as Record<string, unknown>).namespace;
    if (typeof ns === 'string' && NAMESPACE.test(ns)) return ns;
  }
  const own = principal?.namespaces;
  return own?.length === 1 && own[0] !== '*' ? (own[0] ?? null) : null;
}

/**
 * Decides whether a finished request is audited and what its row says: every 401 (an auth
 * failure, anonymous), every 403 (denied), and every write by a principal (including the local
 * owner when auth is disabled, since knowing what changed is useful there too). Reads are not.
 */
export function auditEntryFor(f: ResponseFacts): AuditEntry | null {
  const ip = f.ip ?? null;
  if (f.status === 401) {
    return {
      actor: 'anonymous',
      actor_via: 'anonymous',
      role: null,
      action: 'auth.failure',
      target: null,
      namespace: null,
      outcome: 'failure',
      status: f.status,
      request_id: f.requestId,
      ip,
    };
  }
  const p = f.principal;
  if (!p) return null;
  if (READS.has(f.method) && f.status !== 403) return null;
  return {
    actor: clipActor(p.id),
    actor_via: p.via,
    role: p.role,
    action: `${f.method} ${f.route ?? '(unmatched)'}`,
    target: targetOf(f.params),
    namespace: namespaceOf(f.body, p),
    outcome: outcomeOf(f.status),
    status: f.status,
    request_id: f.requestId,
    ip,
  };
}
