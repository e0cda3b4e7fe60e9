export type Role = 'admin' | 'write' | 'read';

/** Who is calling, resolved once per request by the auth pipeline and passed to every check. */
export interface Principal {
  id: string;
  role: Role;
  /** namespaces this principal may use; `*` means all */
  namespaces: readonly string[];
  via: 'local' | 'token' | 'jwt' | 'oauth' | 'api_key' | 'access_key' | 'anonymous';
  /**
   * Attribute limits from a key's permission template: absent means no limit beyond role and
   * namespaces. Every surface checks nodes through `authorizeNode`/`nodeVisible` in policy.ts.
   */
  scope?: PrincipalScope;
}

export type Tier = 'view' | 'edit' | 'action' | 'admin';

export interface PrincipalScope {
  tier?: Tier;
  /** a node is in scope only if it carries at least one of these tags */
  tags?: readonly string[];
  /** a node is in scope only if its kind is one of these */
  kinds?: readonly string[];
  /** named actions the key may perform (e.g. `store`, `recall`, `delete`); absent: all its tier allows */
  actions?: readonly string[];
}

/** With `[auth] enabled = false` every caller is the local owner. */
export const localAdmin: Principal = { id: 'local', role: 'admin', namespaces: ['*'], via: 'local' };
