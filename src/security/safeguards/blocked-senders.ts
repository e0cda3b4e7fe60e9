import type { Context } from '../../core/context.js';
import { HelixError, notFound } from '../../core/errors.js';
import type { BlockedSender, CreateBlockedSender } from './schema.js';
import { blockedSendersFor, deleteBlockedSender, findBlockedSender, insertBlockedSender } from './store.js';

/**
 * Blocked senders: adapters (email, chat, webhooks) ask `isBlocked` before turning a message into
 * a node or a proposal. A pattern is an exact sender, a domain (`@example.com`, that domain only)
 * or a glob (`*` any run of characters, `?` one character), all case-insensitive.
 */

/** `Alice <Alice@Example.com>` → `alice@example.com`; anything else is trimmed and lower-cased. */
export function normalizeSender(sender: string): string {
  const angled = /<([^<>]+)>\s*$/.exec(sender);
  return (angled?.[1] ?? sender).trim().toLowerCase();
}

/**
 * Wildcard match without regular expressions: the greedy two-pointer walk is O(pattern × sender)
 * at worst, so a pattern like `*a*a*a*b` cannot make a long sender header backtrack exponentially.
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    const c = pattern[p];
    if (c === '?' || (c !== undefined && c !== '*' && c === text[t])) {
      p++;
      t++;
    } else if (c === '*') {
      star = p++;
      mark = t;
    } else if (star !== -1) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

/** Whether one stored (lower-case) pattern covers a normalized sender. */
export function senderMatches(pattern: string, sender: string): boolean {
  if (pattern.includes('*') || pattern.includes('?')) return globMatch(pattern, sender);
  if (pattern.startsWith('@')) return sender.endsWith(pattern) && sender.length > pattern.length;
  return sender === pattern;
}

/** The block that applies to this sender on this channel, or null when the sender may write. */
export function isBlocked(ctx: Context, input: { channel: string; sender: string }): BlockedSender | null {
  const sender = normalizeSender(input.sender);
  if (!sender) return null;
  const channel = input.channel.trim().toLowerCase();
  for (const entry of blockedSendersFor(ctx.db, channel))
    if (senderMatches(entry.pattern, sender)) return entry;
  return null;
}

export function blockSender(ctx: Context, input: CreateBlockedSender, actor: string): BlockedSender {
  if (findBlockedSender(ctx.db, input.channel, input.pattern)) {
    throw new HelixError(
      'conflict',
      `pattern ${input.pattern} is already blocked on channel ${input.channel}`,
      {
        field: 'pattern',
      },
    );
  }
  const entry: BlockedSender = {
    id: ctx.ids.next(),
    pattern: input.pattern,
    channel: input.channel,
    reason: input.reason ?? null,
    created_by: actor,
    created_at: ctx.clock.now().toISOString(),
  };
  insertBlockedSender(ctx.db, entry);
  return entry;
}

export function unblockSender(ctx: Context, id: string): void {
  if (!deleteBlockedSender(ctx.db, id)) throw notFound('blocked sender', id);
}
