import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { expandQuery } from './rewrite.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'embedding.provider': 'hash', 'embedding.dimensions': 64 });
});
afterEach(async () => {
  await t.search.close();
  t.dispose();
});

describe('expandQuery (RM3 pseudo-relevance feedback)', () => {
  it('adds stemmed words of the best matches, never stop words or words in most notes', () => {
    makeNode(t.ctx, {
      title: 'Kestrel',
      content: 'the kestrel hovers over the meadow, hunting voles; report',
    });
    makeNode(t.ctx, { title: 'Kestrels', content: 'a kestrel hovering above meadows hunts a vole; report' });
    makeNode(t.ctx, { title: 'Falcon', content: 'kestrel and falcon: the vole is their prey; report' });
    // unrelated notes: "report" ends up in most of the vault, "tomato" is never near a kestrel
    for (let i = 0; i < 4; i++) makeNode(t.ctx, { content: `tomato watering schedule ${i}; report` });
    const x = expandQuery(t.ctx, '"kestrel"', {})!;
    expect(x).not.toBeNull();
    const stems = x.terms.map((term) => term.stem);
    // "vole" and "voles", "hovers" and "hovering" are one word each: FTS5's porter stems
    expect(stems).toEqual(expect.arrayContaining(['vole', 'hover', 'meadow']));
    expect(new Set(stems).size).toBe(stems.length);
    expect(x.added).toEqual(expect.arrayContaining(['vole', 'meadow']));
    expect(x.added).not.toContain('kestrel'); // the query's own word is not "added"
    for (const word of ['the', 'report', 'tomato', 'watering']) {
      expect(x.terms.map((term) => term.word)).not.toContain(word);
    }
    // the added words come from the feedback notes, in a form FTS5 stems as the index does
    const hits = t.ctx.db
      .prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?')
      .get(x.added.map((w) => `"${w}"`).join(' OR ')) as { n: number };
    expect(hits.n).toBe(3);
  });

  it('keeps the larger weight on the original words', () => {
    for (let i = 0; i < 3; i++)
      makeNode(t.ctx, { content: `supersonic flow over a wing ${'shock '.repeat(i + 1)} wave drag` });
    for (let i = 0; i < 6; i++) makeNode(t.ctx, { content: `garden note ${i}` });
    const x = expandQuery(t.ctx, '"supersonic"', {})!;
    const phrases = x.expression.split(' OR ');
    const count = (p: string) => phrases.filter((q) => q === p).length;
    expect(count('( "supersonic" )')).toBe(4);
    const addedCopies = x.terms.filter((term) => term.stem !== 'supersonic').map((term) => term.copies);
    expect(Math.max(...addedCopies)).toBeLessThan(4);
    expect(Math.min(...addedCopies)).toBeGreaterThanOrEqual(1);
    // every copy in the expression is accounted for by the feedback model
    expect(phrases.length).toBe(4 + x.terms.reduce((s, term) => s + term.copies, 0));
    const shares = x.terms.reduce((s, term) => s + term.weight, 0);
    expect(shares).toBeCloseTo(1, 6);
    // the expanded query is valid FTS5 and still finds the notes
    const n = t.ctx.db
      .prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?')
      .get(x.expression) as {
      n: number;
    };
    expect(n.n).toBe(3);
  });

  it('needs at least two feedback notes', () => {
    makeNode(t.ctx, { content: 'a lone kestrel' });
    makeNode(t.ctx, { content: 'tomato watering' });
    expect(expandQuery(t.ctx, '"kestrel"', {})).toBeNull();
  });
});
