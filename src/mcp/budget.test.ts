import { describe, expect, it } from 'vitest';
import { callKey, ENVELOPE_TOKENS, estimateTokens, fitToBudget, offsetCursor, readOffset } from './budget.js';

describe('token budget and cursors', () => {
  it('keeps items while they fit, but never returns an empty page', () => {
    const items = [100, 100, 100, 100];
    const fit = fitToBudget(items, (n) => n, ENVELOPE_TOKENS + 250);
    expect(fit).toEqual({ items: [100, 100], cut: true });
    expect(fitToBudget([5000], (n) => n, 100)).toEqual({ items: [5000], cut: false });
    expect(estimateTokens('x'.repeat(400))).toBe(100);
  });

  it('binds an offset cursor to the arguments that issued it', () => {
    const key = callKey('helix_search', { query: 'a', limit: 5 });
    expect(callKey('helix_search', { limit: 5, query: 'a', cursor: 'zzz' })).toBe(key);
    expect(readOffset(offsetCursor(key, 20), key)).toBe(20);
    expect(() => readOffset(offsetCursor(key, 20), callKey('helix_search', { query: 'b' }))).toThrow(
      /different query/,
    );
    expect(() => readOffset('garbage', key)).toThrow(/cursor/);
    expect(readOffset(undefined, key)).toBe(0);
  });
});
