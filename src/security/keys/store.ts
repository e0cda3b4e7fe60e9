import type { Database } from 'better-sqlite3';
import type { Role, Tier } from '../principal.js';
import type { AccessKey, ApiKey, Consumer, Template } from './schema.js';

export interface ApiKeyRow {
  id: string;
  name: string;
  prefix: string;
  key_hash: string;
  role: Role;
  namespaces: string;
  created_by: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

export interface TemplateRow {
  id: string;
  name: string;
  description: string | null;
  tier: Tier;
  scope_namespace: string;
  scope_tags: string;
  allow_kinds: string;
  allow_actions: string;
  created_at: string;
  updated_at: string;
}

export interface ConsumerRow {
  id: string;
  name: string;
  description: string | null;
  contact: string | null;
  metadata: string;
  created_at: string;
}

export interface AccessKeyRow {
  id: string;
  name: string;
  template_id: string;
  consumer_id: string | null;
  prefix: string;
  key_hash: string;
  created_at: string;
  last_used_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
}

// Presenters allowlist what leaves the server: a hash column can never reach a response.
export const presentApiKey = (r: ApiKeyRow): ApiKey => ({
  id: r.id,
  name: r.name,
  prefix: r.prefix,
  role: r.role,
  namespaces: JSON.parse(r.namespaces) as string[],
  created_at: r.created_at,
  last_used_at: r.last_used_at,
  expires_at: r.expires_at,
  revoked_at: r.revoked_at,
});

export const presentTemplate = (r: TemplateRow): Template => ({
  id: r.id,
  name: r.name,
  description: r.description,
  tier: r.tier,
  scope_namespace: r.scope_namespace,
  scope_tags: JSON.parse(r.scope_tags) as string[],
  allow_kinds: JSON.parse(r.allow_kinds) as string[],
  allow_actions: JSON.parse(r.allow_actions) as string[],
  created_at: r.created_at,
  updated_at: r.updated_at,
});

export const presentConsumer = (r: ConsumerRow): Consumer => ({
  id: r.id,
  name: r.name,
  description: r.description,
  contact: r.contact,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
  created_at: r.created_at,
});

export const presentAccessKey = (r: AccessKeyRow): AccessKey => ({
  id: r.id,
  name: r.name,
  template_id: r.template_id,
  consumer_id: r.consumer_id,
  prefix: r.prefix,
  created_at: r.created_at,
  last_used_at: r.last_used_at,
  expires_at: r.expires_at,
  revoked_at: r.revoked_at,
});

/** An access key with its template's limits, as the authenticator needs them (one query). */
export type AccessKeyGrant = AccessKeyRow &
  Pick<TemplateRow, 'tier' | 'scope_namespace' | 'scope_tags' | 'allow_kinds' | 'allow_actions'>;

/** The lookups on the authentication path, prepared once per database. */
export class KeyLookup {
  readonly apiKeysByPrefix;
  readonly accessKeysByPrefix;
  readonly touchApiKey;
  readonly touchAccessKey;

  constructor(db: Database) {
    this.apiKeysByPrefix = db.prepare<[string], ApiKeyRow>('SELECT * FROM api_keys WHERE prefix = ?');
    this.accessKeysByPrefix = db.prepare<[string], AccessKeyGrant>(
      `SELECT k.*, t.tier, t.scope_namespace, t.scope_tags, t.allow_kinds, t.allow_actions
       FROM access_keys k JOIN permission_templates t ON t.id = k.template_id WHERE k.prefix = ?`,
    );
    this.touchApiKey = db.prepare<[string, string]>('UPDATE api_keys SET last_used_at = ? WHERE id = ?');
    this.touchAccessKey = db.prepare<[string, string]>(
      'UPDATE access_keys SET last_used_at = ? WHERE id = ?',
    );
  }
}

const lookups = new WeakMap<Database, KeyLookup>();
export function keyLookup(db: Database): KeyLookup {
  let l = lookups.get(db);
  if (!l) {
    l = new KeyLookup(db);
    lookups.set(db, l);
  }
  return l;
}
