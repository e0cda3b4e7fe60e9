import type { ChangeEvent, NodeRef } from '../../core/events.js';
import { canUseNamespace, nodeVisible } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';

const scoped = (p: Principal) => Boolean(p.scope?.tags?.length || p.scope?.kinds?.length);

const endpointVisible = (p: Principal, ref: NodeRef | null) =>
  // an endpoint nothing is known about is hidden from a scoped key and judged by the
  // event's namespace for everyone else
  ref === null ? !scoped(p) : nodeVisible(p, ref);

/**
 * Whether a principal may learn of a change: the same rules as reading the node (namespace, then
 * a key's tag and kind scope). A relationship is shown only when both of its ends are.
 */
export function eventVisible(p: Principal, e: ChangeEvent): boolean {
  if (!canUseNamespace(p, e.namespace)) return false;
  if ('tags' in e) return nodeVisible(p, e);
  return endpointVisible(p, e.endpoints.source) && endpointVisible(p, e.endpoints.target);
}
