export type Role = 'admin' | 'write' | 'read';

/** Who is calling, resolved once per request by the auth pipeline and passed to every check. */
export interface Principal {
  id: string;
  role: Role;
  /** namespaces this principal may use; `*` means all */
  namespaces: readonly string[];
  via: 'local' | 'token' | 'jwt' | 'api_key' | 'access_key' | 'anonymous';
}

/** With `[auth] enabled = false` every caller is the local owner. */
export const localAdmin: Principal = { id: 'local', role: 'admin', namespaces: ['*'], via: 'local' };
