import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../../core/validate.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { RecallBody } from './schema.js';
import { recall } from './service.js';

let apps: TestApp[] = [];
afterEach(() => {
  for (const a of apps) a.dispose();
  apps = [];
});

/** The same vault in two homes: one ranks candidates tier by tier, the other by exact BM25. */
function vault(mode: 'conjunctive_first' | 'exact') {
  const t = makeTestApp({
    'embedding.provider': 'hash',
    'search.fulltext_candidates': mode,
    'search.query_rewrite': 'none',
  });
  apps.push(t);
  const ids = (title: string, content: string) => makeNode(t.ctx, { title, content }).title;
  for (let i = 0; i < 40; i++) ids(`Unrelated ${i}`, 'delta epsilon zeta');
  ids('All three', 'alpha beta gamma');
  for (let i = 0; i < 8; i++) ids(`Two ${i}`, `alpha ${i % 2 ? 'beta' : 'gamma'} ${'filler '.repeat(i)}`);
  for (let i = 0; i < 12; i++) ids(`One ${i}`, `gamma ${'padding '.repeat(i)}`);
  return t;
}

const ask = (t: TestApp, text: string) =>
  recall(
    t.ctx,
    validate(RecallBody, { text, strategy: 'fulltext', limit: 5, min_score: 0 }),
    t.search.vectors(),
  );

describe('recall candidates: notes holding every word, then at least two of three', () => {
  it('takes the notes with two or more of three words when a page of them exists, with exact BM25 scores', async () => {
    const tiered = await ask(vault('conjunctive_first'), 'alpha beta gamma');
    const exact = await ask(vault('exact'), 'alpha beta gamma');
    const rows = (r: typeof tiered) => r.results.map((x) => [x.node.title, x.explain.fulltext?.score]);
    // one note holds all three words (fewer than a page), nine hold two: the tier of pairs answers
    expect(tiered.results[0]?.node.title).toBe('All three');
    expect(tiered.results.every((x) => !x.node.title?.startsWith('One'))).toBe(true);
    // same notes, same order and the same BM25 scores as the OR query over every match
    expect(rows(tiered)).toEqual(rows(exact));
  });

  it('falls back to the OR query when fewer than a page hold two of the words', async () => {
    const t = vault('conjunctive_first');
    const r = await ask(t, 'alpha zeta omega');
    expect(r.results.map((x) => x.node.title)).toContain('All three');
  });
});
