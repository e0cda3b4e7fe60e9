import { HelixError } from '../core/errors.js';
import type { Principal, Role } from './principal.js';

export type Action = 'read' | 'write' | 'admin';

const allowed: Record<Role, ReadonlySet<Action>> = {
  admin: new Set(['read', 'write', 'admin']),
  write: new Set(['read', 'write']),
  read: new Set(['read']),
};

export const canUseNamespace = (p: Principal, namespace: string): boolean =>
  p.namespaces.includes('*') || p.namespaces.includes(namespace);

/**
 * The one authorization decision. Routes call it with the resource's namespace (when it has one);
 * a namespace the caller may not use answers 404 for reads, so existence does not leak.
 */
export function authorize(principal: Principal, action: Action, resource: { namespace?: string } = {}): void {
  if (!allowed[principal.role].has(action)) {
    throw new HelixError('forbidden', `role ${principal.role} may not ${action}`, {
      role: principal.role,
      action,
    });
  }
  if (resource.namespace !== undefined && !canUseNamespace(principal, resource.namespace)) {
    if (action === 'read') throw new HelixError('not_found', 'not found');
    throw new HelixError('forbidden', `namespace ${resource.namespace} is outside this principal's scope`, {
      namespace: resource.namespace,
    });
  }
}

/** The attributes of a node that scope checks read. */
export interface ScopedNode {
  namespace: string;
  kind: string;
  tags: readonly string[];
}

/** Whether a node lies inside the principal's namespaces and its key's tag and kind limits. */
export function nodeVisible(principal: Principal, node: ScopedNode): boolean {
  if (!canUseNamespace(principal, node.namespace)) return false;
  return inAttributeScope(principal, node);
}

/** Tag and kind limits only (tags compare case-insensitively, as node tags do). */
function inAttributeScope(principal: Principal, node: Pick<ScopedNode, 'kind' | 'tags'>): boolean {
  const scope = principal.scope;
  if (!scope) return true;
  if (scope.kinds?.length && !scope.kinds.includes(node.kind)) return false;
  if (scope.tags?.length) {
    const wanted = new Set(scope.tags.map((t) => t.toLowerCase()));
    if (!node.tags.some((t) => wanted.has(t.toLowerCase()))) return false;
  }
  return true;
}

/**
 * The tag and kind limits as a filter for SQL (`nodeFilterSql`'s `scope`), so listings, search,
 * recall and export narrow candidates BEFORE ranking and limits: a page is never cut short by
 * nodes the caller cannot see. Undefined when the principal has no attribute limits.
 */
export function scopeFilter(principal: Principal): NodeScopeFilter | undefined {
  const s = principal.scope;
  if (!s?.tags?.length && !s?.kinds?.length) return undefined;
  return { ...(s.tags?.length ? { tags: s.tags } : {}), ...(s.kinds?.length ? { kinds: s.kinds } : {}) };
}

export interface NodeScopeFilter {
  /** any of these tags */
  tags?: readonly string[];
  /** one of these kinds */
  kinds?: readonly string[];
}

/**
 * A node a scoped principal writes must stay inside its scope: kind among `allow_kinds` and at
 * least one of `scope_tags` carried. Refused (403) rather than fixed up by adding a tag, so what
 * is stored is exactly what the caller sent (docs/security.md).
 */
export function authorizeNodeWrite(principal: Principal, node: ScopedNode): void {
  authorize(principal, 'write', { namespace: node.namespace });
  if (inAttributeScope(principal, node)) return;
  const scope = principal.scope!;
  throw new HelixError('forbidden', "the node falls outside this key's scope (allowed kinds and tags)", {
    ...(scope.kinds?.length ? { allow_kinds: scope.kinds } : {}),
    ...(scope.tags?.length ? { scope_tags: scope.tags } : {}),
  });
}

/**
 * Named operations a permission template can allow (`allow_actions`). An empty list means every
 * operation the tier's role permits; a non-empty one is an allow-list checked per route.
 */
export const scopeActions = [
  'read',
  'store',
  'update',
  'delete',
  'search',
  'recall',
  'relate',
  'export',
  'import',
  'share',
] as const;
export type ScopeAction = (typeof scopeActions)[number];

const groupOf: Record<ScopeAction, 'read' | 'write'> = {
  read: 'read',
  search: 'read',
  recall: 'read',
  export: 'read',
  store: 'write',
  update: 'write',
  delete: 'write',
  relate: 'write',
  import: 'write',
  share: 'write',
};

/**
 * Refuses (403) an operation outside the principal's `allow_actions`. An entry names the
 * operation (`delete`), its MCP tool (`helix_delete`) or its group (`read`: read, search, recall,
 * export; `write`: the rest), the same vocabulary the MCP tools accept (mcp/scope.ts).
 */
export function authorizeOperation(principal: Principal, operation: ScopeAction): void {
  const actions = principal.scope?.actions;
  if (
    !actions?.length ||
    actions.includes(operation) ||
    actions.includes(`helix_${operation}`) ||
    actions.includes(groupOf[operation])
  )
    return;
  throw new HelixError('forbidden', `this key may not ${operation} (allow_actions: ${actions.join(', ')})`, {
    operation,
    allow_actions: actions,
  });
}

/**
 * Managing identities (keys, templates, consumers, OAuth clients) needs an admin over every
 * namespace with no attribute limits: a scoped admin key could otherwise mint itself an
 * unscoped one.
 */
export function authorizeIdentityAdmin(principal: Principal): void {
  authorize(principal, 'admin');
  const s = principal.scope;
  if (!principal.namespaces.includes('*') || s?.tags?.length || s?.kinds?.length || s?.actions?.length) {
    throw new HelixError('forbidden', 'managing keys and clients needs an unscoped admin (all namespaces)', {
      role: principal.role,
    });
  }
}

/**
 * Role, namespace and attribute check for one node. A node outside the caller's scope is
 * "not found" for every action, so a scoped key cannot learn that it exists.
 */
export function authorizeNode(principal: Principal, action: Action, node: ScopedNode): void {
  authorize(principal, action);
  if (!nodeVisible(principal, node)) throw new HelixError('not_found', 'not found');
}

/** The namespace a write lands in when the request names none: the caller's only one, if it has one. */
export function ownNamespace(principal: Principal): string | undefined {
  const [only, ...rest] = principal.namespaces;
  return only !== undefined && only !== '*' && rest.length === 0 ? only : undefined;
}
