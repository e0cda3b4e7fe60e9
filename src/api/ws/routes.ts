import websocket from '@fastify/websocket';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Context } from '../../core/context.js';
import { auditEntryFor, type AuditEntry } from '../../security/audit-entry.js';
import type { Authenticator } from '../../security/authenticate.js';
import type { Principal } from '../../security/principal.js';
import { type RateLimiter, rateLimitKey } from '../../security/rate-limit.js';
import { WsConnection } from './connection.js';
import { presentEvent } from './protocol.js';

export interface WsRoutesOptions {
  ctx: Context;
  /** the same authenticator the REST pipeline uses */
  authenticate: Authenticator;
  audit?: (entry: AuditEntry) => void;
  /** the pipeline's limiter (one budget per identity across surfaces); null: not limited */
  limiter: RateLimiter | null;
}

/** What the hub has seen, for health checks and tests. */
export interface WsStats {
  connections: number;
  dropped: Record<string, number>;
  /** the largest send buffer any client had when a message was queued, in bytes */
  peak_buffered_bytes: number;
}

const statsByContext = new WeakMap<Context, () => WsStats>();

/** The WebSocket hub's figures for the server built on this context (undefined without one). */
export const wsStatsFor = (ctx: Context): WsStats | undefined => statsByContext.get(ctx)?.();

const MAX_MESSAGE_BYTES = 64 * 1024;
/** a client without credentials on the upgrade must authenticate within this (or one ping interval) */
const AUTH_TIMEOUT_MS = 10_000;

/**
 * `GET /api/v1/ws`: change events pushed to subscribed clients. Credentials come either as the
 * upgrade's `Authorization: Bearer …` header (checked before the upgrade: a bad one is a plain
 * 401 and no socket) or, for browsers, which cannot set that header, in a first
 * `{"type":"auth","token":…}` message within 10 s or one ping interval, whichever is shorter
 * (else close 4401). Never in the URL: URLs end up in logs. Both paths go through the one
 * Authenticator, the per-identity rate limiter and audit.
 */
export const wsRoutes: FastifyPluginAsync<WsRoutesOptions> = async (
  app,
  { ctx, authenticate, audit, limiter },
) => {
  const { config } = ctx;
  const connections = new Set<WsConnection>();
  // going away (1001), before the plugin's own close (added after this one); a client that does
  // not answer the close is cut after a second, so one stuck socket cannot hold up shutdown
  app.addHook('preClose', async () => {
    for (const c of connections) c.close(1001, 'server shutting down');
  });
  await app.register(websocket, { options: { maxPayload: MAX_MESSAGE_BYTES } });

  const stats: WsStats = { connections: 0, dropped: {}, peak_buffered_bytes: 0 };
  statsByContext.set(ctx, () => ({ ...stats, connections: connections.size, dropped: { ...stats.dropped } }));

  // listen only while someone is connected: an idle server's change follower skips the lookups
  let offChange: (() => void) | null = null;
  const listen = () => {
    offChange ??= ctx.bus.on('change', (event) => {
      let text: string | undefined;
      // serialized once per event, however many clients receive it
      const encoded = () => (text ??= JSON.stringify(presentEvent(event)));
      for (const c of connections) c.deliver(event, encoded);
    });
  };
  const unlisten = () => {
    offChange?.();
    offChange = null;
  };
  const keepalive = setInterval(() => {
    for (const c of connections) c.keepalive();
  }, config.server.ws_ping_interval_secs * 1000);
  keepalive.unref();
  app.addHook('onClose', async () => {
    unlisten();
    clearInterval(keepalive);
  });

  const peer = (req: FastifyRequest) => req.raw.socket.remoteAddress;

  /** The first-message path: audited and limited like a failed header. */
  const authenticateMessage = async (req: FastifyRequest, token: string): Promise<Principal> => {
    let principal: Principal;
    try {
      principal = await authenticate(`Bearer ${token}`, { ip: peer(req) });
    } catch (err) {
      const entry = auditEntryFor({
        method: 'GET',
        route: '/api/v1/ws',
        status: 401,
        principal: null,
        params: {},
        body: undefined,
        requestId: req.id,
        ip: peer(req),
      });
      if (entry) audit?.(entry);
      if (limiter) await limiter.consume(rateLimitKey(undefined, peer(req)));
      throw err;
    }
    if (limiter) await limiter.consume(rateLimitKey(principal, peer(req)));
    return principal;
  };

  app.get(
    '/api/v1/ws',
    {
      websocket: true,
      // the pipeline's header check would refuse a browser before its auth message: this route
      // authenticates itself, below and in the connection
      config: { public: true },
      onRequest: async (req) => {
        // with auth off every caller is the local admin at once (authenticate says so)
        if (req.headers.authorization === undefined && config.auth.enabled) return;
        try {
          req.principal = await authenticate(req.headers.authorization, { ip: peer(req) });
        } catch (err) {
          if (limiter) await limiter.consume(rateLimitKey(undefined, peer(req)));
          throw err; // a 401 before the upgrade, audited by the pipeline's response hook
        }
        if (limiter) await limiter.consume(rateLimitKey(req.principal, peer(req)));
      },
    },
    (socket, req) => {
      const principal = req.headers.authorization === undefined && config.auth.enabled ? null : req.principal;
      const conn = new WsConnection(socket, principal, {
        limits: {
          maxBufferedBytes: config.server.ws_max_buffered_bytes,
          maxMessagesPerMinute: config.server.ws_max_messages_per_minute,
          authTimeoutMs: Math.min(AUTH_TIMEOUT_MS, config.server.ws_ping_interval_secs * 1000),
        },
        logger: ctx.logger,
        authenticate: (token) => authenticateMessage(req, token),
        observeBuffered: (bytes) => {
          if (bytes > stats.peak_buffered_bytes) stats.peak_buffered_bytes = bytes;
        },
        onDrop: (reason) => {
          stats.dropped[reason] = (stats.dropped[reason] ?? 0) + 1;
          ctx.logger.warn({ reason, principal: conn.principal?.id ?? null }, 'websocket client dropped');
        },
      });
      connections.add(conn);
      listen();
      socket.on('close', () => {
        connections.delete(conn);
        if (connections.size === 0) unlisten();
      });
    },
  );
};
