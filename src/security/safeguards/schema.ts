import { z } from 'zod';
import { Namespace, NodeKind, Tag } from '../../knowledge/nodes/schema.js';

/** A channel an adapter receives on (`email`, `slack`, `telegram`, …), or `*` for every channel. */
export const Channel = z
  .string()
  .trim()
  .toLowerCase()
  .regex(/^(\*|[a-z][a-z0-9_-]{0,31})$/, 'a channel name (letters, digits, _ -; at most 32) or *');

/**
 * An exact sender (`alice@example.com`, a phone number, a chat handle), a domain (`@example.com`)
 * or a glob with `*` and `?` (`*@*.example.com`). Compared case-insensitively.
 */
export const SenderPattern = z
  .string()
  .trim()
  .toLowerCase()
  .min(1, 'empty pattern')
  .max(320)
  .regex(/^[^\s<>]+$/, 'a pattern has no spaces or angle brackets')
  .refine((p) => p !== '*' && p !== '@', 'a pattern that blocks everyone is refused');

export const CreateBlockedSenderBody = z
  .object({
    pattern: SenderPattern,
    channel: Channel.default('*'),
    reason: z.string().trim().max(500).optional(),
  })
  .strict();
export type CreateBlockedSender = z.output<typeof CreateBlockedSenderBody>;

export const BlockedSenderSchema = z.object({
  id: z.string(),
  pattern: z.string(),
  channel: z.string(),
  reason: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
});
export type BlockedSender = z.infer<typeof BlockedSenderSchema>;

/** What a proposal does (`store`, `update`, `delete`, `link`, `tag`, `send`, …), or `*` for any. */
export const ProposalAction = z
  .string()
  .trim()
  .regex(/^(\*|[a-z][a-z0-9_.:-]{0,63})$/, 'an action name (lower-case letters, digits, _ . : -) or *');

const Confidence = z.number().min(0, 'at least 0').max(1, 'at most 1');
const Source = z.string().trim().min(1).max(256);

export const CreateAutoApproveRuleBody = z
  .object({
    action: ProposalAction,
    namespace: z.union([z.literal('*'), Namespace]).default('*'),
    kind: NodeKind.optional(),
    tags: z.array(Tag).max(32).default([]),
    source: Source.optional(),
    min_confidence: Confidence,
    enabled: z.boolean().default(true),
    description: z.string().trim().max(500).optional(),
  })
  .strict();
export type CreateAutoApproveRule = z.output<typeof CreateAutoApproveRuleBody>;

/** Fields given are replaced; `null` clears kind, source or description (back to "any"). */
export const UpdateAutoApproveRuleBody = z
  .object({
    action: ProposalAction.optional(),
    namespace: z.union([z.literal('*'), Namespace]).optional(),
    kind: NodeKind.nullable().optional(),
    tags: z.array(Tag).max(32).optional(),
    source: Source.nullable().optional(),
    min_confidence: Confidence.optional(),
    enabled: z.boolean().optional(),
    description: z.string().trim().max(500).nullable().optional(),
  })
  .strict()
  .refine((b) => Object.keys(b).length > 0, 'body: give at least one field to change');
export type UpdateAutoApproveRule = z.output<typeof UpdateAutoApproveRuleBody>;

export const AutoApproveRuleSchema = z.object({
  id: z.string(),
  action: z.string(),
  namespace: z.string(),
  kind: z.string().nullable(),
  tags: z.array(z.string()),
  source: z.string().nullable(),
  min_confidence: z.number(),
  enabled: z.boolean(),
  description: z.string().nullable(),
  created_by: z.string(),
  created_at: z.string(),
  updated_at: z.string(),
});
export type AutoApproveRule = z.infer<typeof AutoApproveRuleSchema>;

export const SafeguardListQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(500).default(100),
    cursor: z.string().max(512).optional().describe('next_cursor of the previous page'),
  })
  .strict();
