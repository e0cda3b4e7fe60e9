import { helixVersion } from '../core/version.js';
import { createHttpServer, type HelixServer } from '../http/server.js';
import { localAdmin } from '../security/principal.js';
import { nodeRoutes } from '../knowledge/nodes/routes.js';
import { relationshipRoutes } from '../knowledge/relationships/routes.js';
import { transferRoutes } from '../knowledge/transfer/routes.js';
import { versionRoutes } from '../knowledge/versions/routes.js';
import { statsRoutes } from '../knowledge/stats-routes.js';
import { searchRoutes } from '../search/fulltext/routes.js';
import { recallRoutes } from '../search/recall/routes.js';
import { coreAiRoutes } from '../ai/core-routes.js';
import { assistRoutes } from '../ai/assist-routes.js';
import { graphPathRoutes } from '../search/graph/routes.js';
import { auditRecorder } from '../security/audit.js';
import { auditRoutes } from '../security/audit-routes.js';
import { type Authenticator, createAuthenticator } from '../security/authenticate.js';
import { createRateLimiter, type RateLimiter } from '../security/rate-limit.js';
import { rateLimitRoutes } from '../security/rate-limit-routes.js';
import { consumerRoutes } from '../security/keys/consumer-routes.js';
import { keyRoutes } from '../security/keys/routes.js';
import { templateRoutes } from '../security/keys/template-routes.js';
import { oauthRoutes } from '../security/oauth/routes.js';
import { shareRoutes } from '../security/shares/routes.js';
import { installWriteGuard } from '../security/write-guard.js';
import { safeguardRoutes } from '../security/safeguards/routes.js';
import type { App } from './create-app.js';
import { healthRoutes } from './health-routes.js';
import { credentialRoutes } from '../vault/credentials/routes.js';
import { keychainRoutes } from '../vault/keychain-routes.js';
import { secretRoutes } from '../vault/secrets/routes.js';
import { Secrets } from '../vault/secrets/service.js';
import { wsRoutes } from './ws/routes.js';
import { proposalRoutes } from '../knowledge/proposals/routes.js';
import { connectorRoutes } from '../mcp/connectors/routes.js';
import { ConnectorPool } from '../mcp/connectors/pool.js';
import { mcpHttpRoutes } from '../mcp/http-routes.js';

/** The core REST server: the shared pipeline plus every domain's routes. */
export async function buildCoreServer(
  app: App,
  options: { authenticate?: Authenticator; limiter?: RateLimiter | null } = {},
): Promise<HelixServer> {
  const { ctx } = app;
  // one budget per identity across REST and WebSocket (and gRPC, which run-server hands the same)
  const ownLimiter = options.limiter === undefined;
  const limiter = ownLimiter
    ? createRateLimiter(ctx.config, Date.now, { logger: ctx.logger })
    : options.limiter!;
  // one authenticator and one audit recorder for REST and WebSocket (gRPC gets the same one)
  const authenticate = options.authenticate ?? createAuthenticator(ctx);
  const audit = auditRecorder(ctx);
  const server = await createHttpServer({
    config: ctx.config,
    logger: ctx.logger,
    openapi: {
      title: 'Helix core API',
      version: helixVersion,
      description: 'Local-first knowledge: nodes, versions, relationships, search, import and export.',
    },
    audit,
    authenticate,
    limiter,
  });
  if (ownLimiter && limiter) server.addHook('onClose', () => limiter.close());
  installWriteGuard(server);
  for (const routes of [
    healthRoutes,
    nodeRoutes,
    versionRoutes,
    relationshipRoutes,
    searchRoutes,
    transferRoutes,
    statsRoutes,
    graphPathRoutes,
    rateLimitRoutes,
    auditRoutes,
    safeguardRoutes,
    keyRoutes,
    templateRoutes,
    consumerRoutes,
    oauthRoutes,
    shareRoutes,
  ]) {
    await server.register(routes, { ctx });
  }
  await server.register(recallRoutes, { ctx, search: app.search });
  // OpenAI-compatible /api/v1/ai/*: completions through the AI layer, embeddings from the core
  await server.register(coreAiRoutes, { ctx, search: app.search });
  await server.register(assistRoutes, { ctx, search: app.search });
  await server.register(keychainRoutes, { ctx, vault: app.vault });
  await server.register(credentialRoutes, { ctx, vault: app.vault });
  const secrets = new Secrets(ctx, app.vault);
  await server.register(secretRoutes, { ctx, vault: app.vault, secrets });
  await server.register(wsRoutes, { ctx, authenticate, audit, limiter });
  await server.register(proposalRoutes, { ctx });
  await server.register(mcpHttpRoutes, { ctx, search: app.search });
  const connectorActor = { principal: localAdmin, request_id: 'mcp-connector', ip: null };
  await server.register(connectorRoutes, {
    ctx,
    pool: new ConnectorPool(ctx, {
      resolveSecret: (name) => secrets.get(connectorActor, name).value,
      halfOpenAfterMs: ctx.config.mcp.connector_breaker_reset_secs * 1000,
    }),
  });
  await server.ready();
  return server;
}
