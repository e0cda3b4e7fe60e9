import { z } from 'zod';

const NAME = /^[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}$/;
const name = (field: string) =>
  z.string().regex(NAME, `${field}: letters, digits and _.:@- (max 128), starting with a letter or digit`);
const tagList = z.array(z.string().min(1).max(64)).max(32);
const metadata = z.record(z.string(), z.unknown());
const iso = z.iso.datetime({ offset: true, message: 'expires_at: an ISO-8601 date-time' });

export const credentialStates = ['active', 'expiring', 'expired', 'archived', 'destroyed'] as const;
export type CredentialState = (typeof credentialStates)[number];

export const DomainSchema = z.object({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  created_by: z.string(),
  created_at: z.string(),
});
export type Domain = z.infer<typeof DomainSchema>;

export const CreateDomainBody = z
  .object({ name: name('name'), description: z.string().max(500).optional() })
  .strict();

export const AclSchema = z.object({
  id: z.string(),
  domain_id: z.string(),
  subject: z.string(),
  can_read: z.boolean(),
  can_write: z.boolean(),
  can_admin: z.boolean(),
  created_at: z.string(),
});
export type Acl = z.infer<typeof AclSchema>;

export const CreateAclBody = z
  .object({
    subject: z
      .string()
      .min(1)
      .max(200)
      .describe('a principal id, `role:<admin|write|read>` or `*` (every authenticated caller)'),
    can_read: z.boolean().default(true),
    can_write: z.boolean().default(false),
    can_admin: z.boolean().default(false),
  })
  .strict();

export const CredentialVersionSchema = z.object({
  version: z.number().int(),
  epoch: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
  destroyed: z.boolean(),
});

export const CredentialSchema = z.object({
  id: z.string(),
  domain_id: z.string(),
  name: z.string(),
  kind: z.string(),
  tags: z.array(z.string()),
  metadata: metadata,
  state: z.enum(credentialStates),
  expires_at: z.string().nullable(),
  current_version: z.number().int(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type Credential = z.infer<typeof CredentialSchema>;

export const CredentialWithValue = CredentialSchema.extend({
  version: z.number().int(),
  value: z.string().nullable(),
  versions: z.array(CredentialVersionSchema),
});

export const CreateCredentialBody = z
  .object({
    name: name('name'),
    kind: z.string().regex(/^[a-z][a-z0-9_]{0,31}$/, 'kind: lower-case word (password, api_key, token, …)'),
    value: z.string().min(1, 'value: must not be empty').max(65_536, 'value: at most 64 KiB'),
    domain: z.string().min(1).max(128).optional().describe('domain name or id (default: `default`)'),
    tags: tagList.default([]),
    metadata: metadata.default({}),
    expires_at: iso.optional(),
  })
  .strict();

export const UpdateCredentialBody = z
  .object({
    value: z.string().min(1).max(65_536).optional().describe('a new value adds a version'),
    kind: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,31}$/)
      .optional(),
    tags: tagList.optional(),
    metadata: metadata.optional(),
    expires_at: iso.nullable().optional(),
  })
  .strict();

export const ListCredentialsQuery = z
  .object({
    domain: z.string().min(1).max(128).optional(),
    state: z.enum(credentialStates).optional(),
    kind: z.string().max(32).optional(),
    tag: z.string().max(64).optional(),
    limit: z.coerce.number().int().min(1).max(500).default(50),
    cursor: z.string().max(500).optional(),
  })
  .strict();

export const GetCredentialQuery = z.object({ version: z.coerce.number().int().min(1).optional() }).strict();
