import type { Context } from '../../core/context.js';
import { decodeCursor, encodeCursor } from '../../core/cursor.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { Principal } from '../../security/principal.js';
import { credentialAad, openValue, sealValue } from '../data-keys.js';
import type { Keychain } from '../keychain.js';
import { type VaultActor, auditVault } from '../keychain-audit.js';
import { defaultDomain, domainAccess, findDomain, requireAccess } from './domains.js';
import type { Credential, CredentialState } from './schema.js';

interface Row extends Omit<Credential, 'tags' | 'metadata' | 'state'> {
  tags: string;
  metadata: string;
  state: 'active' | 'archived' | 'destroyed';
}

interface VersionRow {
  credential_id: string;
  version: number;
  epoch: number;
  wrapped_dek: Buffer | null;
  ciphertext: Buffer | null;
  created_by: string;
  created_at: string;
}

const DAY_MS = 86_400_000;

/** Expiry is a fact of time, not of storage: `expiring` and `expired` are computed on read. */
function effectiveState(ctx: Context, row: Row): CredentialState {
  if (row.state !== 'active' || !row.expires_at) return row.state;
  const now = ctx.clock.now().getTime();
  const expires = Date.parse(row.expires_at);
  if (expires <= now) return 'expired';
  if (expires - now <= ctx.config.vault.expiring_days * DAY_MS) return 'expiring';
  return 'active';
}

const present = (ctx: Context, row: Row): Credential => ({
  ...row,
  tags: JSON.parse(row.tags) as string[],
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  state: effectiveState(ctx, row),
});

function getRow(ctx: Context, id: string): Row {
  const row = ctx.db.prepare('SELECT * FROM keychain_credentials WHERE id = ?').get(id) as Row | undefined;
  if (!row) throw notFound('credential', id);
  return row;
}

/** Loads a credential the caller may see (not_found otherwise, so ids do not leak). */
function visibleRow(ctx: Context, principal: Principal, id: string, need: 'read' | 'write' | 'admin'): Row {
  const row = getRow(ctx, id);
  requireAccess(ctx, principal, row.domain_id, need);
  return row;
}

function insertVersion(
  ctx: Context,
  vault: Keychain,
  id: string,
  domainId: string,
  version: number,
  value: string,
  by: string,
) {
  const { epoch } = vault.activeEpoch();
  const sealed = sealValue(
    vault.wrappingKey(epoch, { domain: domainId }),
    epoch,
    Buffer.from(value, 'utf8'),
    credentialAad(id, version),
  );
  ctx.db
    .prepare(
      `INSERT INTO keychain_credential_versions (credential_id, version, epoch, wrapped_dek, ciphertext, created_by, created_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    )
    .run(id, version, epoch, sealed.wrapped_dek, sealed.ciphertext, by, ctx.clock.now().toISOString());
}

export interface CreateCredentialInput {
  name: string;
  kind: string;
  value: string;
  domain?: string | undefined;
  tags: string[];
  metadata: Record<string, unknown>;
  expires_at?: string | undefined;
}

export function createCredential(
  ctx: Context,
  vault: Keychain,
  actor: VaultActor,
  input: CreateCredentialInput,
): Credential {
  vault.activeEpoch(); // 503 vault_sealed before anything is written
  const domain = input.domain ? findDomain(ctx, input.domain) : defaultDomain(ctx);
  requireAccess(ctx, actor.principal, domain.id, 'write');
  const now = ctx.clock.now().toISOString();
  const row: Row = {
    id: ctx.ids.next(),
    domain_id: domain.id,
    name: input.name,
    kind: input.kind,
    tags: JSON.stringify(input.tags),
    metadata: JSON.stringify(input.metadata),
    state: 'active',
    expires_at: input.expires_at ? new Date(input.expires_at).toISOString() : null,
    current_version: 1,
    created_by: actor.principal.id,
    created_at: now,
    updated_at: now,
  };
  ctx.db.transaction(() => {
    const taken = ctx.db
      .prepare('SELECT 1 FROM keychain_credentials WHERE domain_id = ? AND name = ?')
      .get(domain.id, input.name);
    if (taken)
      throw new HelixError('conflict', `credential ${input.name} already exists in domain ${domain.name}`, {
        field: 'name',
      });
    ctx.db
      .prepare(
        `INSERT INTO keychain_credentials (id, domain_id, name, kind, tags, metadata, state, expires_at, current_version, created_by, created_at, updated_at)
         VALUES (@id, @domain_id, @name, @kind, @tags, @metadata, @state, @expires_at, @current_version, @created_by, @created_at, @updated_at)`,
      )
      .run(row);
    insertVersion(ctx, vault, row.id, domain.id, 1, input.value, actor.principal.id);
  })();
  auditVault(ctx, actor, 'credential.create', 'success', row.id);
  return present(ctx, row);
}

const versionsOf = (ctx: Context, id: string) =>
  (
    ctx.db
      .prepare('SELECT * FROM keychain_credential_versions WHERE credential_id = ? ORDER BY version')
      .all(id) as VersionRow[]
  ).map((v) => ({
    version: v.version,
    epoch: v.epoch,
    created_by: v.created_by,
    created_at: v.created_at,
    destroyed: v.ciphertext === null,
  }));

/** Metadata, version history and the value of one version (the current one by default). */
export function readCredential(
  ctx: Context,
  vault: Keychain,
  actor: VaultActor,
  id: string,
  version?: number,
) {
  const row = visibleRow(ctx, actor.principal, id, 'read');
  const cred = present(ctx, row);
  const n = version ?? row.current_version;
  const v = ctx.db
    .prepare('SELECT * FROM keychain_credential_versions WHERE credential_id = ? AND version = ?')
    .get(id, n) as VersionRow | undefined;
  if (!v) throw notFound('credential version', String(n));
  let value: string | null = null;
  if (v.wrapped_dek && v.ciphertext) {
    const key = vault.wrappingKey(v.epoch, { domain: row.domain_id });
    value = openValue(
      key,
      { wrapped_dek: v.wrapped_dek, ciphertext: v.ciphertext },
      credentialAad(id, n),
    ).toString('utf8');
  }
  auditVault(ctx, actor, 'credential.read', 'success', id);
  return { ...cred, version: n, value, versions: versionsOf(ctx, id) };
}

export interface UpdateCredentialInput {
  value?: string | undefined;
  kind?: string | undefined;
  tags?: string[] | undefined;
  metadata?: Record<string, unknown> | undefined;
  expires_at?: string | null | undefined;
}

export function updateCredential(
  ctx: Context,
  vault: Keychain,
  actor: VaultActor,
  id: string,
  input: UpdateCredentialInput,
): Credential {
  const row = visibleRow(ctx, actor.principal, id, 'write');
  if (row.state === 'destroyed') throw new HelixError('conflict', 'credential was destroyed');
  if (input.value !== undefined) vault.activeEpoch();
  const next: Row = {
    ...row,
    kind: input.kind ?? row.kind,
    tags: input.tags ? JSON.stringify(input.tags) : row.tags,
    metadata: input.metadata ? JSON.stringify(input.metadata) : row.metadata,
    expires_at:
      input.expires_at === undefined
        ? row.expires_at
        : input.expires_at && new Date(input.expires_at).toISOString(),
    current_version: input.value !== undefined ? row.current_version + 1 : row.current_version,
    // a new value revives an archived credential
    state: input.value !== undefined ? 'active' : row.state,
    updated_at: ctx.clock.now().toISOString(),
  };
  ctx.db.transaction(() => {
    if (input.value !== undefined)
      insertVersion(ctx, vault, id, row.domain_id, next.current_version, input.value, actor.principal.id);
    ctx.db
      .prepare(
        `UPDATE keychain_credentials SET kind = @kind, tags = @tags, metadata = @metadata, expires_at = @expires_at,
           current_version = @current_version, state = @state, updated_at = @updated_at WHERE id = @id`,
      )
      .run(next);
  })();
  auditVault(ctx, actor, 'credential.update', 'success', id);
  return present(ctx, next);
}

export function archiveCredential(ctx: Context, actor: VaultActor, id: string): Credential {
  const row = visibleRow(ctx, actor.principal, id, 'write');
  if (row.state === 'destroyed') throw new HelixError('conflict', 'credential was destroyed');
  const at = ctx.clock.now().toISOString();
  ctx.db
    .prepare("UPDATE keychain_credentials SET state = 'archived', updated_at = ? WHERE id = ?")
    .run(at, id);
  auditVault(ctx, actor, 'credential.archive', 'success', id);
  return present(ctx, { ...row, state: 'archived', updated_at: at });
}

/** Crypto-shredding: every version's wrapped key and ciphertext are erased; metadata stays as a tombstone. */
export function destroyCredential(ctx: Context, actor: VaultActor, id: string): void {
  visibleRow(ctx, actor.principal, id, 'write');
  const at = ctx.clock.now().toISOString();
  ctx.db.transaction(() => {
    ctx.db
      .prepare(
        'UPDATE keychain_credential_versions SET wrapped_dek = NULL, ciphertext = NULL WHERE credential_id = ?',
      )
      .run(id);
    ctx.db
      .prepare("UPDATE keychain_credentials SET state = 'destroyed', updated_at = ? WHERE id = ?")
      .run(at, id);
  })();
  auditVault(ctx, actor, 'credential.destroy', 'success', id);
}

type Position = { id: string };
const isPosition = (v: unknown): v is Position =>
  typeof v === 'object' && v !== null && typeof (v as Position).id === 'string';

export interface ListCredentialsInput {
  domain?: string | undefined;
  state?: CredentialState | undefined;
  kind?: string | undefined;
  tag?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Metadata only (never values): works while the vault is sealed. */
export function listCredentials(ctx: Context, principal: Principal, q: ListCredentialsInput) {
  const where: string[] = [];
  const params: unknown[] = [];
  if (q.domain) {
    const d = findDomain(ctx, q.domain);
    requireAccess(ctx, principal, d.id, 'read');
    where.push('domain_id = ?');
    params.push(d.id);
  }
  if (q.kind) {
    where.push('kind = ?');
    params.push(q.kind);
  }
  if (q.tag) {
    where.push('EXISTS (SELECT 1 FROM json_each(tags) WHERE value = ?)');
    params.push(q.tag);
  }
  if (q.cursor) {
    where.push('id > ?');
    params.push(decodeCursor(q.cursor, isPosition).id);
  }
  const stmt = ctx.db.prepare(
    `SELECT * FROM keychain_credentials ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id`,
  );
  const access = new Map<string, boolean>();
  const canRead = (domainId: string) => {
    if (!access.has(domainId)) access.set(domainId, domainAccess(ctx, principal, domainId).read);
    return access.get(domainId)!;
  };
  const items: Credential[] = [];
  let more = false;
  for (const row of stmt.iterate(...params) as IterableIterator<Row>) {
    if (!canRead(row.domain_id)) continue;
    const c = present(ctx, row);
    if (q.state && c.state !== q.state) continue;
    if (items.length === q.limit) {
      more = true;
      break;
    }
    items.push(c);
  }
  const last = items[items.length - 1];
  return { items, next_cursor: more && last ? encodeCursor({ id: last.id }) : null };
}
