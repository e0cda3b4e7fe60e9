import { randomUUID } from 'node:crypto';
import {
  Metadata,
  type ServerUnaryCall,
  type sendUnaryData,
  type ServiceError,
  type status,
} from '@grpc/grpc-js';
import type { Context } from '../../core/context.js';
import { errorCatalogue, HelixError } from '../../core/errors.js';
import { type AuditEntry, auditEntryFor } from '../../security/audit-entry.js';
import type { Authenticator } from '../../security/authenticate.js';
import type { Principal } from '../../security/principal.js';
import { type RateLimiter, rateLimitKey } from '../../security/rate-limit.js';

export interface CallDeps {
  ctx: Context;
  authenticate: Authenticator;
  limiter: RateLimiter | null;
  audit?: ((entry: AuditEntry) => void) | undefined;
}

export interface RpcSpec<Req> {
  /** the full method path, as it appears in audit rows */
  path: string;
  /** writes are audited (reads only when denied) */
  write?: boolean;
  /** reachable without credentials (Health) */
  public?: boolean;
  /** the resource id the call touches, for the audit row */
  target?: (req: Req) => unknown;
}

type Handler<Req, Res> = (principal: Principal, req: Req) => Res | Promise<Res>;

/** `ipv4:127.0.0.1:5000` / `ipv6:[::1]:5000` → the address, as the REST pipeline records it. */
export function peerAddress(peer: string): string | undefined {
  const m = /^ipv[46]:\[?([^\]]+?)\]?:\d+$/.exec(peer);
  return m?.[1];
}

/**
 * Anything thrown becomes a gRPC status from the error catalogue; the message is the HelixError's
 * own (written for clients, never carrying a secret), anything unknown is `internal error`.
 */
export function toServiceError(err: unknown, requestId: string, ctx: Context): Partial<ServiceError> {
  const helix = err instanceof HelixError ? err : new HelixError('internal_error', 'internal error');
  if (!(err instanceof HelixError)) ctx.logger.error({ err, request_id: requestId }, 'grpc call failed');
  const metadata = new Metadata();
  metadata.set('helix-error-code', helix.code);
  metadata.set('x-request-id', requestId);
  if (helix.code === 'rate_limited' && typeof helix.details?.retry_after_secs === 'number') {
    metadata.set('retry-after', String(helix.details.retry_after_secs));
  }
  return { code: errorCatalogue[helix.code].grpc as status, details: helix.message, metadata };
}

const statusOf = (err: unknown) => (err instanceof HelixError ? err.status : 500);

/**
 * Wraps one RPC in the same pipeline REST requests go through: the caller from metadata
 * `authorization: Bearer …` via the one Authenticator, the per-identity rate limiter (failed
 * attempts count against the peer address), the handler, then an audit row for every write,
 * every authentication failure and every denial.
 */
export function unary<Req, Res>(deps: CallDeps, spec: RpcSpec<Req>, handler: Handler<Req, Res>) {
  const { ctx, authenticate, limiter, audit } = deps;
  return (call: ServerUnaryCall<Req, Res>, callback: sendUnaryData<Res>) => {
    const requestId = randomUUID();
    const ip = peerAddress(call.getPeer());
    const record = (principal: Principal | null, httpStatus: number) => {
      if (!audit) return;
      if (httpStatus !== 401 && httpStatus !== 403 && !spec.write) return;
      const req = call.request as Record<string, unknown>;
      try {
        const entry = auditEntryFor({
          method: 'GRPC',
          route: spec.path,
          status: httpStatus,
          principal,
          params: { id: spec.target?.(call.request) },
          body: { namespace: req?.namespace },
          requestId,
          ip,
        });
        if (entry) audit(entry);
      } catch (err) {
        ctx.logger.error({ err }, 'grpc audit failed');
      }
    };
    const run = async (): Promise<Res> => {
      let principal: Principal;
      if (spec.public) {
        principal = { id: 'anonymous', role: 'read', namespaces: [], via: 'anonymous' };
      } else {
        const value = call.metadata.get('authorization')[0];
        try {
          principal = await authenticate(typeof value === 'string' ? value : undefined, ip ? { ip } : {});
        } catch (err) {
          record(null, statusOf(err));
          if (limiter) await limiter.consume(rateLimitKey(undefined, ip));
          throw err;
        }
        if (limiter) await limiter.consume(rateLimitKey(principal, ip));
      }
      try {
        const res = await handler(principal, call.request);
        record(principal, 200);
        return res;
      } catch (err) {
        record(principal, statusOf(err));
        throw err;
      }
    };
    run().then(
      (res) => callback(null, res),
      (err: unknown) => callback(toServiceError(err, requestId, ctx)),
    );
  };
}
