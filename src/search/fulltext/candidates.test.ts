import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { buildFtsQuery } from './query.js';
import { fulltextCandidates } from './service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'embedding.provider': 'hash' });
});
afterEach(() => t.dispose());

describe('conjunctive-first full-text candidates', () => {
  it('scores the notes holding every word exactly as the OR query does', () => {
    // unrelated notes keep both words rare, so their IDF is positive
    for (let i = 0; i < 30; i++) makeNode(t.ctx, { title: `Unrelated ${i}`, content: 'delta epsilon' });
    for (let i = 0; i < 6; i++)
      makeNode(t.ctx, { title: `Note ${i}`, content: `alpha beta ${'gamma '.repeat(i)}` });
    for (let i = 0; i < 6; i++)
      makeNode(t.ctx, { title: `Other ${i}`, content: `alpha ${'filler '.repeat(i)}` });
    const q = buildFtsQuery('alpha beta alpha');
    expect(q.conjunctive).toBe('"alpha" AND "beta" AND "alpha"');
    const exact = fulltextCandidates(t.ctx, q.expression!, {}, 6);
    const fast = fulltextCandidates(t.ctx, q.expression!, {}, 6, q.conjunctive);
    expect(fast).toEqual(exact);
    expect(fast).toHaveLength(6);
  });

  it('falls back to the OR query when too few notes hold every word', () => {
    const both = makeNode(t.ctx, { title: 'Both', content: 'alpha beta' });
    const one = makeNode(t.ctx, { title: 'One', content: 'alpha only' });
    const q = buildFtsQuery('alpha beta');
    const hits = fulltextCandidates(t.ctx, q.expression!, {}, 10, q.conjunctive);
    expect(hits.map((h) => h.id)).toEqual([both.id, one.id]);
  });

  it('offers no conjunctive form for one word, a boolean query or repeated single words', () => {
    expect(buildFtsQuery('alpha').conjunctive).toBeUndefined();
    expect(buildFtsQuery('alpha alpha').conjunctive).toBeUndefined();
    expect(buildFtsQuery('alpha OR beta').conjunctive).toBeUndefined();
  });
});
