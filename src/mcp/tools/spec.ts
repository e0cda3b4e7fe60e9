import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { ScopeAction } from '../../security/policy.js';
import type { McpDeps, ToolGroup } from '../scope.js';

/** One MCP tool: registered only when the caller's key allows it (see `toolAllowed`). */
export interface ToolSpec {
  name: string;
  group: ToolGroup;
  /** the REST operation it amounts to, so `allow_actions` means the same on both surfaces */
  operation: ScopeAction;
  register(server: McpServer, deps: McpDeps): void;
}
