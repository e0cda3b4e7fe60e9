import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { getNode, updateNode } from '../nodes/service.js';
import { getVersion, listVersions, restoreVersion } from './service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'knowledge.version_retention': 3 });
});
afterEach(() => t.dispose());

describe('versions', () => {
  it('records each change as before/after and restores an older state as a new version', () => {
    const n = makeNode(t.ctx, { title: 'one', content: 'first', tags: ['a'] });
    updateNode(t.ctx, n.id, { title: 'two' });
    updateNode(t.ctx, n.id, { content: 'second', tags: ['b'] });
    const { items } = listVersions(t.ctx, n.id, 10);
    expect(items.map((v) => v.version)).toEqual([3, 2, 1]);
    expect(items[0]!.changes).toEqual({
      content: { before: 'first', after: 'second' },
      tags: { before: ['a'], after: ['b'] },
    });
    const v1 = items[2]!;
    expect(getVersion(t.ctx, n.id, v1.id).state).toMatchObject({
      title: 'one',
      content: 'first',
      tags: ['a'],
      version: 1,
    });
    const restored = restoreVersion(t.ctx, n.id, v1.id);
    expect(restored).toMatchObject({ title: 'one', content: 'first', tags: ['a'], version: 4 });
    expect(getNode(t.ctx, n.id)).toEqual(restored);
    expect(listVersions(t.ctx, n.id, 10).items[0]).toMatchObject({ version: 4, operation: 'restore' });
  });

  it('keeps a rolling window of versions per node', () => {
    const n = makeNode(t.ctx);
    for (let i = 0; i < 6; i++) updateNode(t.ctx, n.id, { title: `t${i}` });
    const { items } = listVersions(t.ctx, n.id, 50);
    expect(items.map((v) => v.version)).toEqual([7, 6, 5]);
    const page1 = listVersions(t.ctx, n.id, 2);
    expect(listVersions(t.ctx, n.id, 2, page1.next_cursor!).items.map((v) => v.version)).toEqual([5]);
  });
});
