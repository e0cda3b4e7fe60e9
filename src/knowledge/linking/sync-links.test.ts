import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { createRelationship } from '../relationships/service.js';
import { updateNode } from '../nodes/service.js';
import { backlinks } from '../relationships/service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.dispose());

const linked = (id: string) => backlinks(t.ctx, id).items.map((i) => i.node.id);

describe('automatic backlinks', () => {
  it('turns [[links]], markdown links, mentions and source URLs into references edges', () => {
    const target = makeNode(t.ctx, { title: 'Boundary Layers', source: 'https://papers.example/bl' });
    const slugged = makeNode(t.ctx, { title: 'Project X' });
    const a = makeNode(t.ctx, { content: 'About [[boundary layers|BL]] and @project-x' });
    const b = makeNode(t.ctx, { content: 'Read [this](Boundary%20Layers) and https://papers.example/bl.' });
    expect(linked(target.id).sort()).toEqual([a.id, b.id].sort());
    expect(linked(slugged.id)).toEqual([a.id]);
    const edge = backlinks(t.ctx, slugged.id).items[0]!.relationship;
    expect(edge).toMatchObject({ kind: 'references', metadata: { auto: true, via: 'mention' } });
  });

  it('keeps edges in step with the content and never removes a hand-made edge', () => {
    const x = makeNode(t.ctx, { title: 'X' });
    const y = makeNode(t.ctx, { title: 'Y' });
    const n = makeNode(t.ctx, { content: '[[X]] and [[Y]]' });
    createRelationship(t.ctx, {
      from_node: n.id,
      to_node: y.id,
      kind: 'depends_on',
      weight: 1,
      metadata: {},
    });
    updateNode(t.ctx, n.id, { content: 'only [[Y]] now' });
    expect(linked(x.id)).toEqual([]);
    expect(linked(y.id)).toEqual([n.id, n.id]);
    updateNode(t.ctx, n.id, { content: 'no links' });
    expect(backlinks(t.ctx, y.id).items.map((i) => i.relationship.kind)).toEqual(['depends_on']);
  });

  it('resolves a link later, when its target appears or is renamed to match', () => {
    const n = makeNode(t.ctx, { content: 'see [[Future Note]] and @"Renamed"' });
    const future = makeNode(t.ctx, { title: 'future note' });
    expect(linked(future.id)).toEqual([n.id]);
    const other = makeNode(t.ctx, { title: 'Old name' });
    updateNode(t.ctx, other.id, { title: 'Renamed' });
    expect(linked(other.id)).toEqual([n.id]);
    expect(t.ctx.db.prepare('SELECT count(*) AS c FROM pending_links').get()).toEqual({ c: 0 });
  });

  it('stays inside the namespace and can be switched off', () => {
    makeNode(t.ctx, { title: 'Secret', namespace: 'private' });
    const n = makeNode(t.ctx, { content: '[[Secret]]' });
    expect(t.ctx.db.prepare('SELECT count(*) AS c FROM relationships').get()).toEqual({ c: 0 });
    expect(t.ctx.db.prepare('SELECT target_key FROM pending_links WHERE from_node = ?').all(n.id)).toEqual([
      { target_key: 'title:secret' },
    ]);
    const off = makeTestApp({ 'linking.auto_backlinks_enabled': false });
    const target = makeNode(off.ctx, { title: 'T' });
    makeNode(off.ctx, { content: '[[T]]' });
    expect(backlinks(off.ctx, target.id).items).toEqual([]);
    off.dispose();
  });
});
