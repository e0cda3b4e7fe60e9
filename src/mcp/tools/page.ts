import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { estimateTokens, fitToBudget, offsetCursor } from '../budget.js';
import { type CompactHit, hitLine } from '../format.js';
import { ok } from './result.js';

export interface HitPageInput {
  /** every visible candidate from `offset` on, best first */
  hits: CompactHit[];
  offset: number;
  limit: number;
  /** whether candidates exist beyond `hits` (the query was cut at its own limit) */
  moreBeyond: boolean;
  key: string;
  maxTokens: number;
  /** first line of the text answer */
  header: string;
  extra?: Record<string, unknown>;
}

/**
 * One page of hits: at most `limit`, and no more than the token budget allows. `next_cursor`
 * continues exactly where this page stopped, whichever of the two cut it.
 */
export function hitPage(input: HitPageInput): CallToolResult {
  const { hits, offset, limit } = input;
  const wanted = hits.slice(0, limit);
  const fitted = fitToBudget(
    wanted,
    (h) => estimateTokens(hitLine(h, 0)) + estimateTokens(JSON.stringify(h)),
    input.maxTokens,
  );
  const shown = fitted.items;
  const more = fitted.cut || hits.length > limit || input.moreBeyond;
  const next = more && shown.length > 0 ? offsetCursor(input.key, offset + shown.length) : null;
  const lines = [input.header];
  if (shown.length === 0) lines.push('no results');
  for (const [i, h] of shown.entries()) lines.push(hitLine(h, offset + i + 1));
  if (next)
    lines.push(
      `more results: call again with cursor="${next}"${fitted.cut ? ' (this page was cut to stay within the token budget)' : ''}`,
    );
  return ok(lines.join('\n'), { items: shown, next_cursor: next, ...input.extra });
}
