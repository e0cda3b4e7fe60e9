import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { type McpDeps, visible } from './scope.js';

/**
 * Node changes become MCP notifications: `resources/list_changed` (coalesced, at most one per
 * 100 ms) when nodes are created or deleted, `resources/updated` for a subscribed node and for
 * helix://recent and helix://tags. It listens to the `change` events of the change follower,
 * which reads the committed change feed, so writes by other processes (the server, an import)
 * are announced too. Only changes to nodes the caller could read are announced, so a key never
 * learns of nodes outside its scope. Returns the function that stops listening.
 */
export function watchChanges(server: McpServer, deps: McpDeps, subscribed: ReadonlySet<string>): () => void {
  const { bus, logger } = deps.ctx;
  let pending: NodeJS.Timeout | null = null;
  const send = (fn: () => Promise<void> | void) => {
    if (!server.isConnected()) return;
    Promise.resolve()
      .then(fn)
      .catch((err: Error) => logger.debug({ err: err.message }, 'mcp notification not sent'));
  };
  const listChanged = () => {
    pending ??= setTimeout(() => {
      pending = null;
      send(() => server.sendResourceListChanged());
    }, 100);
    pending.unref();
  };
  const updated = (uri: string) => {
    if (subscribed.has(uri)) send(() => server.server.sendResourceUpdated({ uri }));
  };
  const off = bus.on('change', (e) => {
    if (e.type !== 'node.created' && e.type !== 'node.updated' && e.type !== 'node.deleted') return;
    if (!visible(deps.principal, { namespace: e.namespace, kind: e.kind, tags: e.tags })) return;
    if (e.type !== 'node.updated') listChanged();
    if (e.type !== 'node.created') updated(`helix://node/${e.id}`);
    updated('helix://recent');
    updated('helix://tags');
  });
  return () => {
    off();
    if (pending) clearTimeout(pending);
  };
}
