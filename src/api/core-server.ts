import { helixVersion } from '../core/version.js';
import { createHttpServer, type HelixServer } from '../http/server.js';
import { nodeRoutes } from '../knowledge/nodes/routes.js';
import { relationshipRoutes } from '../knowledge/relationships/routes.js';
import { transferRoutes } from '../knowledge/transfer/routes.js';
import { versionRoutes } from '../knowledge/versions/routes.js';
import { statsRoutes } from '../knowledge/stats-routes.js';
import { searchRoutes } from '../search/fulltext/routes.js';
import { recallRoutes } from '../search/recall/routes.js';
import { graphPathRoutes } from '../search/graph/routes.js';
import { auditRecorder } from '../security/audit.js';
import { auditRoutes } from '../security/audit-routes.js';
import { createAuthenticator } from '../security/authenticate.js';
import { rateLimitRoutes } from '../security/rate-limit-routes.js';
import type { App } from './create-app.js';
import { healthRoutes } from './health-routes.js';

/** The core REST server: the shared pipeline plus every domain's routes. */
export async function buildCoreServer(app: App): Promise<HelixServer> {
  const { ctx } = app;
  const server = await createHttpServer({
    config: ctx.config,
    logger: ctx.logger,
    openapi: {
      title: 'Helix core API',
      version: helixVersion,
      description: 'Local-first knowledge: nodes, versions, relationships, search, import and export.',
    },
    audit: auditRecorder(ctx),
    authenticate: createAuthenticator(ctx),
  });
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
  ]) {
    await server.register(routes, { ctx });
  }
  await server.register(recallRoutes, { ctx, search: app.search });
  await server.ready();
  return server;
}
