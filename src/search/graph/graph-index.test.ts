import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createRelationship, deleteRelationship } from '../../knowledge/relationships/service.js';
import { deleteNode } from '../../knowledge/nodes/service.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { graphIndexFor } from './graph-index.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp();
});
afterEach(() => t.dispose());

const link = (from: string, to: string, kind: 'references' | 'depends_on' = 'references') =>
  createRelationship(t.ctx, { from_node: from, to_node: to, kind, weight: 1, metadata: {} });

describe('graph index', () => {
  it('loads existing edges and follows later writes through the change feed', () => {
    const [a, b, c, d] = [makeNode(t.ctx), makeNode(t.ctx), makeNode(t.ctx), makeNode(t.ctx)];
    link(a.id, b.id);
    let g = graphIndexFor(t.ctx.db);
    expect(g.edgeCount).toBe(1);
    const bc = link(c.id, b.id, 'depends_on');
    link(c.id, d.id);
    g = graphIndexFor(t.ctx.db);
    expect([...g.within(a.id, 1)]).toEqual([[b.id, 1]]);
    expect(g.within(a.id, 3)).toEqual(
      new Map([
        [b.id, 1],
        [c.id, 2],
        [d.id, 3],
      ]),
    );
    expect(g.within(a.id, 3, new Set(['references']))).toEqual(new Map([[b.id, 1]]));
    expect(g.path(a.id, d.id)).toEqual([a.id, b.id, c.id, d.id]);
    deleteRelationship(t.ctx, bc.id);
    g = graphIndexFor(t.ctx.db);
    expect(g.path(a.id, d.id)).toBeNull();
    deleteNode(t.ctx, b.id);
    g = graphIndexFor(t.ctx.db);
    expect(g.within(a.id, 2).size).toBe(0);
    expect(g.edgeCount).toBe(1);
  });
});
