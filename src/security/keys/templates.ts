import type { Database } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { CreateConsumer, CreateTemplate, UpdateTemplate } from './schema.js';
import { type ConsumerRow, presentConsumer, presentTemplate, type TemplateRow } from './store.js';

const isUniqueViolation = (err: unknown) =>
  err instanceof Error && /UNIQUE constraint failed/.test(err.message);

function nameTaken(what: string, name: string) {
  return new HelixError('conflict', `${what} named ${JSON.stringify(name)} already exists`, {
    field: 'name',
  });
}

const lower = (tags: readonly string[]) => [...new Set(tags.map((t) => t.toLowerCase()))];

export function createTemplate(ctx: Context, input: CreateTemplate) {
  const now = ctx.clock.now().toISOString();
  const row: TemplateRow = {
    id: ctx.ids.next(),
    name: input.name,
    description: input.description ?? null,
    tier: input.tier,
    scope_namespace: input.scope_namespace,
    scope_tags: JSON.stringify(lower(input.scope_tags)),
    allow_kinds: JSON.stringify([...new Set(input.allow_kinds)]),
    allow_actions: JSON.stringify([...new Set(input.allow_actions)]),
    created_at: now,
    updated_at: now,
  };
  try {
    ctx.db
      .prepare(
        `INSERT INTO permission_templates (id, name, description, tier, scope_namespace, scope_tags, allow_kinds, allow_actions, created_at, updated_at)
         VALUES (@id, @name, @description, @tier, @scope_namespace, @scope_tags, @allow_kinds, @allow_actions, @created_at, @updated_at)`,
      )
      .run(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken('a permission template', input.name);
    throw err;
  }
  return presentTemplate(row);
}

export const listTemplates = (db: Database) =>
  (db.prepare('SELECT * FROM permission_templates ORDER BY name').all() as TemplateRow[]).map(
    presentTemplate,
  );

function templateRow(db: Database, id: string): TemplateRow {
  const row = db.prepare('SELECT * FROM permission_templates WHERE id = ?').get(id) as
    | TemplateRow
    | undefined;
  if (!row) throw notFound('permission template', id);
  return row;
}

export const getTemplate = (db: Database, id: string) => presentTemplate(templateRow(db, id));

/** Changes apply to every key bound to the template at its next request (the lookup joins it). */
export function updateTemplate(ctx: Context, id: string, patch: UpdateTemplate) {
  const row = templateRow(ctx.db, id);
  const next: TemplateRow = {
    ...row,
    ...(patch.name !== undefined ? { name: patch.name } : {}),
    ...(patch.description !== undefined ? { description: patch.description ?? null } : {}),
    ...(patch.tier !== undefined ? { tier: patch.tier } : {}),
    ...(patch.scope_namespace !== undefined ? { scope_namespace: patch.scope_namespace } : {}),
    ...(patch.scope_tags !== undefined ? { scope_tags: JSON.stringify(lower(patch.scope_tags)) } : {}),
    ...(patch.allow_kinds !== undefined
      ? { allow_kinds: JSON.stringify([...new Set(patch.allow_kinds)]) }
      : {}),
    ...(patch.allow_actions !== undefined
      ? { allow_actions: JSON.stringify([...new Set(patch.allow_actions)]) }
      : {}),
    updated_at: ctx.clock.now().toISOString(),
  };
  try {
    ctx.db
      .prepare(
        `UPDATE permission_templates SET name = @name, description = @description, tier = @tier,
           scope_namespace = @scope_namespace, scope_tags = @scope_tags, allow_kinds = @allow_kinds,
           allow_actions = @allow_actions, updated_at = @updated_at WHERE id = @id`,
      )
      .run(next);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken('a permission template', next.name);
    throw err;
  }
  return presentTemplate(next);
}

/** A template with keys bound to it is kept (409): deleting it would leave keys without limits. */
export function deleteTemplate(ctx: Context, id: string): void {
  templateRow(ctx.db, id);
  const { n } = ctx.db.prepare('SELECT count(*) AS n FROM access_keys WHERE template_id = ?').get(id) as {
    n: number;
  };
  if (n > 0)
    throw new HelixError(
      'conflict',
      `${n} access key(s) still use this template: revoke and delete them first`,
      {
        access_keys: n,
      },
    );
  ctx.db.prepare('DELETE FROM permission_templates WHERE id = ?').run(id);
}

export function createConsumer(ctx: Context, input: CreateConsumer) {
  const row: ConsumerRow = {
    id: ctx.ids.next(),
    name: input.name,
    description: input.description ?? null,
    contact: input.contact ?? null,
    metadata: JSON.stringify(input.metadata),
    created_at: ctx.clock.now().toISOString(),
  };
  try {
    ctx.db
      .prepare(
        `INSERT INTO consumers (id, name, description, contact, metadata, created_at)
         VALUES (@id, @name, @description, @contact, @metadata, @created_at)`,
      )
      .run(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken('a consumer', input.name);
    throw err;
  }
  return presentConsumer(row);
}

export const listConsumers = (db: Database) =>
  (db.prepare('SELECT * FROM consumers ORDER BY name').all() as ConsumerRow[]).map(presentConsumer);

export function getConsumer(db: Database, id: string) {
  const row = db.prepare('SELECT * FROM consumers WHERE id = ?').get(id) as ConsumerRow | undefined;
  if (!row) throw notFound('consumer', id);
  return presentConsumer(row);
}

/** Deleting a consumer deletes its access keys with it (ON DELETE CASCADE): they stop working at once. */
export function deleteConsumer(ctx: Context, id: string): void {
  getConsumer(ctx.db, id);
  ctx.db.prepare('DELETE FROM consumers WHERE id = ?').run(id);
}

/** The consumer behind an access key, if the key has one. */
export function consumerOfKey(db: Database, keyId: string) {
  const row = db
    .prepare('SELECT c.* FROM consumers c JOIN access_keys k ON k.consumer_id = c.id WHERE k.id = ?')
    .get(keyId) as ConsumerRow | undefined;
  return row ? presentConsumer(row) : null;
}
