import { describe, expect, it } from 'vitest';
import type { HelixError } from '../core/errors.js';
import {
  authorizeIdentityAdmin,
  authorizeNode,
  authorizeNodeWrite,
  authorizeOperation,
  nodeVisible,
  ownNamespace,
  scopeFilter,
} from './policy.js';
import type { Principal } from './principal.js';

const scoped: Principal = {
  id: 'k',
  role: 'write',
  namespaces: ['work'],
  via: 'access_key',
  scope: { tier: 'edit', tags: ['project-x'], kinds: ['task'] },
};
const code = (fn: () => void) => {
  try {
    fn();
    return 'ok';
  } catch (err) {
    return (err as HelixError).code;
  }
};

describe('attribute-based policy', () => {
  it('sees a node only inside namespace, kinds and (case-insensitive) tags', () => {
    expect(nodeVisible(scoped, { namespace: 'work', kind: 'task', tags: ['Project-X'] })).toBe(true);
    expect(nodeVisible(scoped, { namespace: 'home', kind: 'task', tags: ['project-x'] })).toBe(false);
    expect(nodeVisible(scoped, { namespace: 'work', kind: 'fact', tags: ['project-x'] })).toBe(false);
    expect(nodeVisible(scoped, { namespace: 'work', kind: 'task', tags: [] })).toBe(false);
    expect(code(() => authorizeNode(scoped, 'read', { namespace: 'work', kind: 'fact', tags: [] }))).toBe(
      'not_found',
    );
  });

  it('refuses writes that would leave the scope, with the limits in the details', () => {
    expect(
      code(() => authorizeNodeWrite(scoped, { namespace: 'work', kind: 'task', tags: ['project-x'] })),
    ).toBe('ok');
    expect(
      code(() => authorizeNodeWrite(scoped, { namespace: 'work', kind: 'fact', tags: ['project-x'] })),
    ).toBe('forbidden');
    expect(
      code(() => authorizeNodeWrite(scoped, { namespace: 'home', kind: 'task', tags: ['project-x'] })),
    ).toBe('forbidden');
    const reader = { ...scoped, role: 'read' as const };
    expect(
      code(() => authorizeNodeWrite(reader, { namespace: 'work', kind: 'task', tags: ['project-x'] })),
    ).toBe('forbidden');
  });

  it('checks allow_actions by name, MCP tool name or group', () => {
    const p = (actions: string[]): Principal => ({ ...scoped, scope: { actions } });
    expect(code(() => authorizeOperation(scoped, 'delete'))).toBe('ok');
    expect(code(() => authorizeOperation(p(['search']), 'delete'))).toBe('forbidden');
    expect(code(() => authorizeOperation(p(['delete']), 'delete'))).toBe('ok');
    expect(code(() => authorizeOperation(p(['helix_delete']), 'delete'))).toBe('ok');
    expect(code(() => authorizeOperation(p(['read']), 'recall'))).toBe('ok');
    expect(code(() => authorizeOperation(p(['read']), 'store'))).toBe('forbidden');
    expect(code(() => authorizeOperation(p(['write']), 'store'))).toBe('ok');
  });

  it('turns scope into an SQL filter and finds the default namespace', () => {
    expect(scopeFilter(scoped)).toEqual({ tags: ['project-x'], kinds: ['task'] });
    expect(scopeFilter({ ...scoped, scope: { tier: 'view', actions: ['read'] } })).toBeUndefined();
    expect(ownNamespace(scoped)).toBe('work');
    expect(ownNamespace({ ...scoped, namespaces: ['*'] })).toBeUndefined();
    expect(ownNamespace({ ...scoped, namespaces: ['a', 'b'] })).toBeUndefined();
  });

  it('lets only an unscoped all-namespace admin manage identities', () => {
    const admin: Principal = { id: 'a', role: 'admin', namespaces: ['*'], via: 'token' };
    expect(code(() => authorizeIdentityAdmin(admin))).toBe('ok');
    expect(code(() => authorizeIdentityAdmin({ ...admin, namespaces: ['work'] }))).toBe('forbidden');
    expect(code(() => authorizeIdentityAdmin({ ...admin, scope: { tier: 'admin', tags: ['x'] } }))).toBe(
      'forbidden',
    );
    expect(code(() => authorizeIdentityAdmin({ ...admin, role: 'write' }))).toBe('forbidden');
  });
});
