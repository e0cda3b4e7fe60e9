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
