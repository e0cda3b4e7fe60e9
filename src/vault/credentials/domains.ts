import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { Principal } from '../../security/principal.js';
import type { Acl, Domain } from './schema.js';

export const DEFAULT_DOMAIN = 'default';

interface AclRow extends Omit<Acl, 'can_read' | 'can_write' | 'can_admin'> {
  can_read: number;
  can_write: number;
  can_admin: number;
}

const presentAcl = (r: AclRow): Acl => ({
  ...r,
  can_read: r.can_read === 1,
  can_write: r.can_write === 1,
  can_admin: r.can_admin === 1,
});

export interface Access {
  read: boolean;
  write: boolean;
  admin: boolean;
}

/**
 * What a principal may do in a domain: an admin may do everything; anyone else holds the union
 * of the ACL rows naming their id, their role (`role:write`) or everyone (`*`).
 */
export function domainAccess(ctx: Context, principal: Principal, domainId: string): Access {
  if (principal.role === 'admin') return { read: true, write: true, admin: true };
  const rows = ctx.db
    .prepare(
      'SELECT can_read, can_write, can_admin FROM keychain_domain_acls WHERE domain_id = ? AND subject IN (?, ?, ?)',
    )
    .all(domainId, principal.id, `role:${principal.role}`, '*') as AclRow[];
  const admin = rows.some((r) => r.can_admin === 1);
  return {
    admin,
    // a read-role principal never writes, whatever an ACL says: the role is the ceiling
    write: principal.role !== 'read' && (admin || rows.some((r) => r.can_write === 1)),
    read: admin || rows.some((r) => r.can_read === 1 || r.can_write === 1),
  };
}

/** Throws not_found when the caller cannot even read the domain, so its existence does not leak. */
export function requireAccess(
  ctx: Context,
  principal: Principal,
  domainId: string,
  need: keyof Access,
): void {
  const access = domainAccess(ctx, principal, domainId);
  if (!access.read && !access.admin) throw notFound('domain', domainId);
  if (!access[need])
    throw new HelixError('forbidden', `the domain's ACL does not grant ${need} to ${principal.id}`, {
      domain_id: domainId,
      need,
    });
}

export const getDomain = (ctx: Context, id: string): Domain | undefined =>
  ctx.db.prepare('SELECT * FROM keychain_domains WHERE id = ?').get(id) as Domain | undefined;

export function findDomain(ctx: Context, nameOrId: string): Domain {
  const d = ctx.db
    .prepare('SELECT * FROM keychain_domains WHERE id = ? OR name = ?')
    .get(nameOrId, nameOrId) as Domain | undefined;
  if (!d) throw notFound('domain', nameOrId);
  return d;
}

function insertAcl(ctx: Context, domainId: string, subject: string, r: boolean, w: boolean, a: boolean): Acl {
  const row: AclRow = {
    id: ctx.ids.next(),
    domain_id: domainId,
    subject,
    can_read: r ? 1 : 0,
    can_write: w ? 1 : 0,
    can_admin: a ? 1 : 0,
    created_at: ctx.clock.now().toISOString(),
  };
  ctx.db
    .prepare(
      `INSERT INTO keychain_domain_acls (id, domain_id, subject, can_read, can_write, can_admin, created_at)
       VALUES (@id, @domain_id, @subject, @can_read, @can_write, @can_admin, @created_at)
       ON CONFLICT (domain_id, subject) DO UPDATE SET can_read = excluded.can_read,
         can_write = excluded.can_write, can_admin = excluded.can_admin`,
    )
    .run(row);
  return presentAcl(
    ctx.db
      .prepare('SELECT * FROM keychain_domain_acls WHERE domain_id = ? AND subject = ?')
      .get(domainId, subject) as AclRow,
  );
}

export function createDomain(
  ctx: Context,
  principal: Principal,
  input: { name: string; description?: string | undefined },
): Domain {
  const domain: Domain = {
    id: ctx.ids.next(),
    name: input.name,
    description: input.description ?? '',
    created_by: principal.id,
    created_at: ctx.clock.now().toISOString(),
  };
  ctx.db.transaction(() => {
    const taken = ctx.db.prepare('SELECT 1 FROM keychain_domains WHERE name = ?').get(input.name);
    if (taken) throw new HelixError('conflict', `domain ${input.name} already exists`, { field: 'name' });
    ctx.db
      .prepare(
        'INSERT INTO keychain_domains (id, name, description, created_by, created_at) VALUES (@id, @name, @description, @created_by, @created_at)',
      )
      .run(domain);
    // the creator administers what they made; admins need no row
    if (principal.role !== 'admin') insertAcl(ctx, domain.id, principal.id, true, true, true);
    // the shared default domain is open to writers, like the rest of Helix
    if (input.name === DEFAULT_DOMAIN) insertAcl(ctx, domain.id, 'role:write', true, true, false);
  })();
  return domain;
}

/** The `default` domain, created on first use. */
export function defaultDomain(ctx: Context): Domain {
  const d = ctx.db.prepare('SELECT * FROM keychain_domains WHERE name = ?').get(DEFAULT_DOMAIN) as
    | Domain
    | undefined;
  if (d) return d;
  return createDomain(
    ctx,
    { id: 'system', role: 'admin', namespaces: ['*'], via: 'local' },
    { name: DEFAULT_DOMAIN },
  );
}

export function listDomains(ctx: Context, principal: Principal): Domain[] {
  const all = ctx.db.prepare('SELECT * FROM keychain_domains ORDER BY name').all() as Domain[];
  return all.filter((d) => domainAccess(ctx, principal, d.id).read);
}

export function deleteDomain(ctx: Context, principal: Principal, id: string): void {
  if (!getDomain(ctx, id)) throw notFound('domain', id);
  requireAccess(ctx, principal, id, 'admin');
  ctx.db.transaction(() => {
    const live = ctx.db
      .prepare("SELECT COUNT(*) AS n FROM keychain_credentials WHERE domain_id = ? AND state != 'destroyed'")
      .get(id) as { n: number };
    if (live.n > 0)
      throw new HelixError('conflict', `domain holds ${live.n} credentials: destroy them first`, {
        credentials: live.n,
      });
    ctx.db
      .prepare(
        'DELETE FROM keychain_credential_versions WHERE credential_id IN (SELECT id FROM keychain_credentials WHERE domain_id = ?)',
      )
      .run(id);
    ctx.db.prepare('DELETE FROM keychain_credentials WHERE domain_id = ?').run(id);
    ctx.db.prepare('DELETE FROM keychain_domain_acls WHERE domain_id = ?').run(id);
    ctx.db.prepare('DELETE FROM keychain_domains WHERE id = ?').run(id);
  })();
}

export function addAcl(
  ctx: Context,
  principal: Principal,
  domainId: string,
  input: { subject: string; can_read: boolean; can_write: boolean; can_admin: boolean },
): Acl {
  if (!getDomain(ctx, domainId)) throw notFound('domain', domainId);
  requireAccess(ctx, principal, domainId, 'admin');
  return insertAcl(ctx, domainId, input.subject, input.can_read, input.can_write, input.can_admin);
}

export function listAcls(ctx: Context, principal: Principal, domainId: string): Acl[] {
  if (!getDomain(ctx, domainId)) throw notFound('domain', domainId);
  requireAccess(ctx, principal, domainId, 'admin');
  const rows = ctx.db
    .prepare('SELECT * FROM keychain_domain_acls WHERE domain_id = ? ORDER BY subject')
    .all(domainId) as AclRow[];
  return rows.map(presentAcl);
}

export function deleteAcl(ctx: Context, principal: Principal, aclId: string): void {
  const row = ctx.db.prepare('SELECT * FROM keychain_domain_acls WHERE id = ?').get(aclId) as
    | AclRow
    | undefined;
  if (!row) throw notFound('acl', aclId);
  requireAccess(ctx, principal, row.domain_id, 'admin');
  ctx.db.prepare('DELETE FROM keychain_domain_acls WHERE id = ?').run(aclId);
}
