import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { SubscribeRequestSchema, UnsubscribeRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import { helixVersion } from '../core/version.js';
import { registerPrompts } from './prompts.js';
import { registerResources } from './resources.js';
import { type McpDeps, toolAllowed } from './scope.js';
import { nodeTools } from './tools/node-tools.js';
import { searchTools } from './tools/search-tools.js';
import type { ToolSpec } from './tools/spec.js';
import { writeTools } from './tools/write-tools.js';
import { watchChanges } from './watch.js';

export const allTools: readonly ToolSpec[] = [...searchTools, ...nodeTools, ...writeTools];

const INSTRUCTIONS = `Helix is the user's personal knowledge base.
- To find things: helix_recall (by meaning) or helix_search (exact words); each hit is one line with its id.
- To read one: helix_get_node with the id. Answers are paged: pass next_cursor to continue.
- To remember: helix_store (or helix_propose_* to only suggest). Some keys may only propose; the tool says so.`;

/** Largest number of array elements and object members one tool call's arguments may hold. */
const MAX_INPUT_ELEMENTS = 10_000;

export interface HelixMcp {
  server: McpServer;
  /** stops listening for changes and closes the transport */
  close(): Promise<void>;
}

/**
 * One MCP server for one caller: the tools its key allows, the resources and prompts, all
 * answering through the same services and scope checks as REST. With `notifications`, node
 * changes on the event bus become list-changed / resource-updated notifications.
 */
export function createMcpServer(deps: McpDeps, options: { notifications: boolean }): HelixMcp {
  const server = new McpServer(
    { name: 'helix', title: 'Helix', version: helixVersion },
    { instructions: INSTRUCTIONS, maxToolInputElements: MAX_INPUT_ELEMENTS },
  );
  for (const tool of allTools) if (toolAllowed(deps.principal, tool)) tool.register(server, deps);
  registerResources(server, deps);
  registerPrompts(server, deps);

  let stop = () => {};
  if (options.notifications) {
    const subscribed = new Set<string>();
    server.server.registerCapabilities({ resources: { subscribe: true, listChanged: true } });
    server.server.setRequestHandler(SubscribeRequestSchema, (req) => {
      subscribed.add(req.params.uri);
      return {};
    });
    server.server.setRequestHandler(UnsubscribeRequestSchema, (req) => {
      subscribed.delete(req.params.uri);
      return {};
    });
    stop = watchChanges(server, deps, subscribed);
  }
  return {
    server,
    async close() {
      stop();
      await server.close();
    },
  };
}
