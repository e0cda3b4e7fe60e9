import type { Context } from '../core/context.js';
import { HelixError } from '../core/errors.js';
import { proposesOnly } from '../knowledge/proposals/service.js';
import type { SearchRuntime } from '../search/runtime.js';
import { authorize, nodeVisible, type ScopeAction, scopeFilter } from '../security/policy.js';
import type { Principal } from '../security/principal.js';

/** What every tool, resource and prompt of one MCP session works with. */
export interface McpDeps {
  ctx: Context;
  search: SearchRuntime;
  /** who is calling: the access key's principal, a REST principal, or the local owner */
  principal: Principal;
  /** token budget of one answer (`[mcp] max_answer_tokens`) */
  maxTokens: number;
  /** where proposals say they came from in the audit trail */
  requestId: string;
}

export type ToolGroup = 'read' | 'write' | 'propose';

/**
 * Whether a key's `allow_actions` allow a tool: by tool name (`helix_store`, `store`), by the REST
 * operation it amounts to (`store`, `search`, …) or that operation's group (`read`, `write`), or
 * `propose` for the helix_propose_* tools. The same vocabulary as `authorizeOperation` on REST.
 */
export function toolAllowed(
  p: Principal,
  tool: { name: string; group: ToolGroup; operation: ScopeAction },
): boolean {
  const actions = p.scope?.actions;
  if (!actions?.length) return true;
  const short = tool.name.replace(/^helix_/, '');
  const opGroup = tool.group === 'read' ? 'read' : 'write';
  return [
    tool.name,
    short,
    tool.operation,
    `helix_${tool.operation}`,
    opGroup,
    ...(tool.group === 'propose' ? ['propose'] : []),
  ].some((a) => actions.includes(a));
}

/** The namespace a read runs in: the one asked for (if allowed) or the caller's only one. */
export function readNamespace(p: Principal, requested: string | undefined): string | undefined {
  if (requested !== undefined) {
    authorize(p, 'read', { namespace: requested });
    return requested;
  }
  authorize(p, 'read');
  if (p.namespaces.includes('*')) return undefined;
  if (p.namespaces.length === 1) return p.namespaces[0];
  throw new HelixError('validation_error', `namespace: required (one of ${p.namespaces.join(', ')})`, {
    field: 'namespace',
  });
}

/** Kinds a query may return: the requested ones within the key's allowed kinds; null: none at all. */
export function kindsFor(
  p: Principal,
  requested: readonly string[] | undefined,
): string[] | undefined | null {
  const allowed = p.scope?.kinds?.length ? p.scope.kinds : undefined;
  if (!allowed) return requested?.length ? [...requested] : undefined;
  if (!requested?.length) return [...allowed];
  const both = requested.filter((k) => allowed.includes(k));
  return both.length ? both : null;
}

/** With a tag or kind limit, results are filtered after the query: fetch more to fill a page. */
export const overFetch = (p: Principal): number => (p.scope?.tags?.length ? 4 : 1);

export const visible = nodeVisible;
export const writesGoToProposals = proposesOnly;

/** A key's tag and kind limits as a query filter, so they apply before ranking and limits. */
export function scoped(p: Principal): { scope?: NonNullable<ReturnType<typeof scopeFilter>> } {
  const scope = scopeFilter(p);
  return scope ? { scope } : {};
}
