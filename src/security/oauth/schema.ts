import { z } from 'zod';
import { Namespace } from '../../knowledge/nodes/schema.js';
import { RoleSchema } from '../keys/schema.js';

export const CreateClientBody = z
  .object({
    name: z.string().trim().min(1, 'name: must not be empty').max(128),
    role: RoleSchema.default('read').describe('role of the tokens this client gets (default read)'),
    namespace: z.union([z.literal('*'), Namespace]).describe('namespace of its tokens (* = all)'),
  })
  .strict();
export type CreateClient = z.output<typeof CreateClientBody>;

export const ClientSchema = z.object({
  client_id: z.string(),
  name: z.string(),
  role: RoleSchema,
  namespace: z.string(),
  created_at: z.string(),
  last_used_at: z.string().nullable(),
  revoked_at: z.string().nullable(),
});
export type Client = z.infer<typeof ClientSchema>;

export const CreatedClientSchema = ClientSchema.extend({
  client_secret: z.string().describe('shown once: store it now'),
});

/** RFC 6749 §4.4.2 request (form fields; the client may authenticate with HTTP Basic instead). */
export const TokenRequestDoc = z.object({
  grant_type: z.literal('client_credentials'),
  client_id: z.string().optional(),
  client_secret: z.string().optional(),
  scope: z.string().optional().describe('read, write or admin: a role at most the client’s'),
});

export const TokenResponse = z.object({
  access_token: z.string(),
  token_type: z.literal('Bearer'),
  expires_in: z.number().int(),
  scope: z.string(),
});

export const OAuthErrorSchema = z.object({
  error: z.enum([
    'invalid_request',
    'invalid_client',
    'invalid_grant',
    'unauthorized_client',
    'unsupported_grant_type',
    'invalid_scope',
    'temporarily_unavailable',
  ]),
  error_description: z.string(),
});
export type OAuthErrorCode = z.infer<typeof OAuthErrorSchema>['error'];
