import { afterEach, describe, expect, it } from 'vitest';
import { validate } from '../../core/validate.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { RecallBody } from './schema.js';
import { recall } from './service.js';

let t: TestApp | undefined;
afterEach(() => t?.dispose());

/** Two notes say "kestrel"; a third shares their other words but never says it. */
function vault(flags: Record<string, unknown> = {}) {
  t = makeTestApp({ 'embedding.provider': 'hash', ...flags });
  makeNode(t.ctx, { title: 'Kestrel', content: 'the kestrel hovers above the meadow hunting voles at dusk' });
  makeNode(t.ctx, {
    title: 'Kestrel pair',
    content: 'a kestrel pair hovers over the meadow and dives on voles',
  });
  const cousin = makeNode(t.ctx, {
    title: 'Windhover',
    content: 'a small falcon that hovers over the meadow, dropping onto voles',
  });
  for (const topic of ['sourdough bread', 'tax return', 'bicycle chain', 'garden shed', 'piano scales'])
    for (const n of [1, 2])
      makeNode(t.ctx, { title: `${topic} ${n}`, content: `notes about ${topic}, part ${n}` });
  return cousin;
}

const ask = (body: Record<string, unknown>) =>
  recall(t!.ctx, validate(RecallBody, { strategy: 'fulltext', min_score: 0, ...body }), t!.search.vectors());

describe('query_rewrite = auto (decision 0012)', () => {
  it('expands a plain-word query from the best matches in a small vault, finding notes that lack its words', async () => {
    const cousin = vault();
    const r = await ask({ text: 'kestrel' });
    expect(r.query.rewritten).toMatch(/^kestrel .*(hover|meadow|vole)/);
    expect(r.results.map((x) => x.node.id)).toContain(cousin.id);
    // the notes that hold the query's own word still lead
    expect(r.results[0]?.node.title).toMatch(/Kestrel/);
  });

  it('searches as typed above auto_expand_max_nodes, for boolean syntax, and with rewrite none', async () => {
    const cousin = vault({ 'search.auto_expand_max_nodes': 12 });
    const big = await ask({ text: 'kestrel' });
    expect(big.query.rewritten).toBeNull();
    expect(big.results.map((x) => x.node.id)).not.toContain(cousin.id);
    t!.dispose();
    t = undefined;
    vault();
    expect((await ask({ text: 'kestrel AND hovers' })).query.rewritten).toBeNull();
    expect((await ask({ text: 'kestrel', rewrite: 'none' })).query.rewritten).toBeNull();
  });
});
