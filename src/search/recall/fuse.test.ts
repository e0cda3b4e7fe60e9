import { describe, expect, it } from 'vitest';
import { fuse } from './fuse.js';

describe('fuse', () => {
  const lists = {
    fulltext: [
      { id: 'a', score: 10 },
      { id: 'b', score: 5 },
    ],
    vector: [
      { id: 'b', score: 0.9 },
      { id: 'c', score: 0.3 },
    ],
  };

  it('reciprocal rank fusion rewards agreement', () => {
    const r = fuse(lists, { mode: 'rrf', weights: { fulltext: 1, vector: 1 } });
    expect(r.map((x) => x.id)).toEqual(['b', 'a', 'c']);
    expect(r[0]!.score).toBeCloseTo(1 / 62 + 1 / 61);
    expect(r[0]!.signals).toEqual({ fulltext: { rank: 2, score: 5 }, vector: { rank: 1, score: 0.9 } });
  });

  it('weighted fusion scales each list by its best score', () => {
    const r = fuse(lists, { mode: 'weighted', weights: { fulltext: 0.8, vector: 0.2 } });
    expect(r.map((x) => x.id)).toEqual(['a', 'b', 'c']);
    expect(r[0]!.score).toBeCloseTo(0.8);
    expect(r[1]!.score).toBeCloseTo(0.8 * 0.5 + 0.2);
  });

  it('a zero weight leaves the ranking to the other signal', () => {
    const r = fuse(lists, { mode: 'weighted', weights: { fulltext: 1, vector: 0 } });
    expect(r.map((x) => x.id)).toEqual(['a', 'b', 'c']);
  });
});
