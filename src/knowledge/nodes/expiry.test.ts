import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../core/validate.js';
import { SearchQuery } from '../../search/fulltext/schema.js';
import { searchFulltext } from '../../search/fulltext/service.js';
import { RecallBody } from '../../search/recall/schema.js';
import { recall } from '../../search/recall/service.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { listNodes } from './list.js';
import { ListNodesQuery } from './schema.js';
import { getNode } from './service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'embedding.provider': 'hash', 'embedding.dimensions': 32 });
});
afterEach(async () => {
  await t.search.close();
  t.dispose();
});

const ids = (items: { id: string }[]) => items.map((n) => n.id).sort();

describe('nodes past their expires_at', () => {
  it('leave listings, search and recall, and stay readable by id', async () => {
    const inAnHour = new Date(t.clock.now().getTime() + 3_600_000).toISOString();
    const fleeting = makeNode(t.ctx, {
      title: 'Parking spot',
      content: 'level three, row kestrel',
      expires_at: inAnHour,
    });
    const lasting = makeNode(t.ctx, { title: 'Kestrel notes', content: 'a kestrel hovers over the meadow' });
    await t.search.start();
    await t.search.worker!.drain();
    await t.search.worker!.runBatch();
    const list = () => ids(listNodes(t.ctx, validate(ListNodesQuery, {})).items);
    const search = () =>
      ids(searchFulltext(t.ctx, validate(SearchQuery, { q: 'kestrel' })).results.map((r) => r.node));
    const recalled = async (strategy: string) =>
      ids(
        (
          await recall(
            t.ctx,
            validate(RecallBody, { text: 'kestrel', strategy, min_score: 0 }),
            t.search.vectors(),
          )
        ).results.map((r) => r.node),
      );
    const both = ids([fleeting, lasting]);
    expect(list()).toEqual(both);
    expect(search()).toEqual(both);
    expect(await recalled('hybrid')).toEqual(both);

    t.clock.advance(2 * 3_600_000);
    expect(list()).toEqual([lasting.id]);
    expect(search()).toEqual([lasting.id]);
    for (const strategy of ['fulltext', 'vector', 'hybrid', 'graph'])
      expect(await recalled(strategy), strategy).toEqual([lasting.id]);
    expect(getNode(t.ctx, fleeting.id).title).toBe('Parking spot');
  });
});
