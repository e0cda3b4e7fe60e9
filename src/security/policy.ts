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
  const scope = principal.scope;
  if (!scope) return true;
  if (scope.kinds?.length && !scope.kinds.includes(node.kind)) return false;
  if (scope.tags?.length && !node.tags.some((t) => scope.tags!.includes(t))) return false;
  return true;
}

/**
 * Role, namespace and attribute check for one node. A node outside the caller's scope is
 * "not found" for every action, so a scoped key cannot learn that it exists.
 */
export function authorizeNode(principal: Principal, action: Action, node: ScopedNode): void {
  authorize(principal, action);
  if (!nodeVisible(principal, node)) throw new HelixError('not_found', 'not found');
}
