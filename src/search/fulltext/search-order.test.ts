import { afterEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { searchFulltext } from './service.js';

let t: TestApp;
afterEach(() => t.dispose());

/** Notes with every word but weak BM25, notes with one word and a strong title, and noise. */
function fill(app: TestApp) {
  for (let i = 0; i < 30; i++) makeNode(app.ctx, { title: `Unrelated ${i}`, content: 'delta epsilon' });
  const both = Array.from({ length: 4 }, (_, i) =>
    makeNode(app.ctx, { title: `Both ${i}`, content: `alpha beta ${'filler '.repeat(20 + i)}` }),
  );
  const one = Array.from({ length: 4 }, (_, i) =>
    makeNode(app.ctx, { title: `beta beta ${i}`, content: `beta ${'x '.repeat(i)}` }),
  );
  return { both: both.map((n) => n.id), one: one.map((n) => n.id) };
}

const ids = (app: TestApp, q: string, limit: number) =>
  searchFulltext(app.ctx, { q, limit }).results.map((r) => r.node.id);

describe('search order with conjunctive_first', () => {
  it('puts the notes holding every word first, and a larger page extends a smaller one', () => {
    t = makeTestApp({ 'embedding.provider': 'hash' });
    const { both, one } = fill(t);
    const page = ids(t, 'alpha beta', 6);
    expect(new Set(page.slice(0, 4))).toEqual(new Set(both));
    expect(one).toEqual(expect.arrayContaining(page.slice(4)));
    for (const limit of [1, 2, 3, 4, 5]) expect(ids(t, 'alpha beta', limit)).toEqual(page.slice(0, limit));
    // snippets come from the same phrases on either path
    const r = searchFulltext(t.ctx, { q: 'alpha beta', limit: 2 }).results;
    expect(r[0]!.snippet).toMatch(/<mark>alpha<\/mark> <mark>beta<\/mark>/);
  });

  it('"exact" ranks by BM25 alone', () => {
    t = makeTestApp({ 'embedding.provider': 'hash', 'search.fulltext_candidates': 'exact' });
    const { one } = fill(t);
    // the short one-word notes with the word in their title outscore the long notes with both
    expect(one).toContain(ids(t, 'alpha beta', 1)[0]);
  });
});
