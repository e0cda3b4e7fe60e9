import { decodeCursor, encodeCursor } from '../core/cursor.js';
import { HelixError } from '../core/errors.js';

/** A cheap, model-independent token estimate: about four characters per token for English text. */
export const estimateTokens = (text: string): number => Math.ceil(text.length / 4);

/** What one answer may cost, with room kept for the envelope (JSON-RPC framing, field names). */
export const ENVELOPE_TOKENS = 120;

export interface Fitted<T> {
  items: T[];
  /** how many of the candidates were left out because the budget ran out */
  cut: boolean;
}

/**
 * Keeps items in order while their text line plus structured form fit in `maxTokens`. The first
 * item is always kept (shortened by the caller if it must be), so a page is never empty while
 * results remain: that would loop a client forever.
 */
export function fitToBudget<T>(items: readonly T[], cost: (item: T) => number, maxTokens: number): Fitted<T> {
  const out: T[] = [];
  let used = ENVELOPE_TOKENS;
  for (const item of items) {
    const c = cost(item);
    if (out.length > 0 && used + c > maxTokens) return { items: out, cut: true };
    out.push(item);
    used += c;
  }
  return { items: out, cut: false };
}

/** An offset cursor bound to the call that issued it, so it cannot be replayed on another query. */
interface OffsetCursor {
  k: string;
  o: number;
}
const isOffsetCursor = (v: unknown): v is OffsetCursor =>
  typeof v === 'object' &&
  v !== null &&
  typeof (v as OffsetCursor).k === 'string' &&
  Number.isInteger((v as OffsetCursor).o) &&
  (v as OffsetCursor).o >= 0;

export const offsetCursor = (key: string, offset: number): string => encodeCursor({ k: key, o: offset });

export function readOffset(cursor: string | undefined, key: string): number {
  if (!cursor) return 0;
  const c = decodeCursor(cursor, isOffsetCursor);
  if (c.k !== key)
    throw new HelixError(
      'validation_error',
      'cursor: issued for a different query; repeat the same arguments',
      {
        field: 'cursor',
      },
    );
  return c.o;
}

/** A short, stable key for a call's arguments (without the cursor). */
export function callKey(tool: string, args: Record<string, unknown>): string {
  const { cursor: _c, ...rest } = args;
  let h = 2166136261;
  const s = `${tool}:${JSON.stringify(rest, Object.keys(rest).sort())}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 16777619);
  return (h >>> 0).toString(36);
}
