import { z } from 'zod';
import { IsoTimestamp, Namespace, NodeKind, Tag } from '../../knowledge/nodes/schema.js';
import { scopeActions } from '../policy.js';

export const RoleSchema = z.enum(['admin', 'write', 'read']);
export const TierSchema = z.enum(['view', 'edit', 'action', 'admin']);
const Name = z.string().trim().min(1, 'name: must not be empty').max(128);
const NamespaceOrAll = z.union([z.literal('*'), Namespace]).describe('a namespace, or * for all');
const ExpiresAt = IsoTimestamp.nullish().describe('when the secret stops working (ISO-8601); none: never');

export const CreateApiKeyBody = z
  .object({
    name: Name,
    role: RoleSchema.default('read').describe('admin, write or read (default read)'),
    namespaces: z.array(NamespaceOrAll).min(1).max(64).describe('namespaces the key may use (* = all)'),
    expires_at: ExpiresAt,
  })
  .strict();
export type CreateApiKey = z.output<typeof CreateApiKeyBody>;

export const ApiKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  prefix: z.string().describe('the first characters of the key, to recognise it'),
  role: RoleSchema,
  namespaces: z.array(z.string()),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type ApiKey = z.infer<typeof ApiKeySchema>;
export const CreatedApiKeySchema = ApiKeySchema.extend({
  key: z.string().describe('the secret: shown once, store it now'),
});

const templateFields = {
  name: Name,
  description: z.string().max(2000).nullish(),
  tier: TierSchema.describe('view → read, edit and action → write, admin → admin'),
  scope_namespace: NamespaceOrAll,
  scope_tags: z.array(Tag).max(64).describe('a node is in scope only with one of these tags (none: any)'),
  allow_kinds: z.array(NodeKind).max(32).describe('a node is in scope only of these kinds (none: any)'),
  allow_actions: z
    .array(z.string().regex(/^[a-z][a-z_]{0,63}$/, 'an action is a lower-case name such as delete'))
    .max(64)
    .describe(
      `operations allowed (none: all the tier permits): ${scopeActions.join(', ')}, the groups read and write, or MCP tool names (helix_store)`,
    ),
};

export const CreateTemplateBody = z
  .object({
    ...templateFields,
    scope_tags: templateFields.scope_tags.default([]),
    allow_kinds: templateFields.allow_kinds.default([]),
    allow_actions: templateFields.allow_actions.default([]),
  })
  .strict();
export type CreateTemplate = z.output<typeof CreateTemplateBody>;

export const UpdateTemplateBody = z
  .object({
    name: templateFields.name.optional(),
    description: templateFields.description,
    tier: templateFields.tier.optional(),
    scope_namespace: templateFields.scope_namespace.optional(),
    scope_tags: templateFields.scope_tags.optional(),
    allow_kinds: templateFields.allow_kinds.optional(),
    allow_actions: templateFields.allow_actions.optional(),
  })
  .strict();
export type UpdateTemplate = z.output<typeof UpdateTemplateBody>;

export const TemplateSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  tier: TierSchema,
  scope_namespace: z.string(),
  scope_tags: z.array(z.string()),
  allow_kinds: z.array(z.string()),
  allow_actions: z.array(z.string()),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Template = z.infer<typeof TemplateSchema>;

export const CreateConsumerBody = z
  .object({
    name: Name,
    description: z.string().max(2000).nullish(),
    contact: z.string().max(256).nullish().describe('how to reach whoever runs it'),
    metadata: z.record(z.string(), z.unknown()).default({}),
  })
  .strict();
export type CreateConsumer = z.output<typeof CreateConsumerBody>;

export const ConsumerSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string().nullable(),
  contact: z.string().nullable(),
  metadata: z.record(z.string(), z.unknown()),
  created_at: z.string(),
});
export type Consumer = z.infer<typeof ConsumerSchema>;

export const CreateAccessKeyBody = z
  .object({
    name: Name,
    template_id: z.uuid('template_id: not a UUID'),
    consumer_id: z.uuid('consumer_id: not a UUID').nullish(),
    expires_at: ExpiresAt,
  })
  .strict();
export type CreateAccessKey = z.output<typeof CreateAccessKeyBody>;

export const AccessKeySchema = z.object({
  id: z.string(),
  name: z.string(),
  template_id: z.string(),
  consumer_id: z.string().nullable(),
  prefix: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  expires_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type AccessKey = z.infer<typeof AccessKeySchema>;
export const CreatedAccessKeySchema = AccessKeySchema.extend({
  key: z.string().describe('the secret: shown once, store it now'),
});

export const WhoamiSchema = z.object({
  id: z.string(),
  via: z.string(),
  role: RoleSchema,
  namespaces: z.array(z.string()),
  scope: z
    .object({
      tier: TierSchema.optional(),
      tags: z.array(z.string()).optional(),
      kinds: z.array(z.string()).optional(),
      actions: z.array(z.string()).optional(),
    })
    .nullable(),
  consumer: ConsumerSchema.nullable(),
  key: z
    .object({ id: z.string(), name: z.string(), prefix: z.string(), expires_at: z.string().nullable() })
    .nullable(),
});
