import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { validate } from '../../core/validate.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { createRelationship } from '../relationships/service.js';
import { listNodes } from './list.js';
import { ListNodesQuery, UpdateNodeBody } from './schema.js';
import { deleteNode, getNode, updateNode } from './service.js';

let t: TestApp;
beforeEach(() => {
  t = makeTestApp({ 'knowledge.max_content_bytes': 100 });
});
afterEach(() => t.dispose());

const update = (id: string, patch: Record<string, unknown>) =>
  updateNode(t.ctx, id, validate(UpdateNodeBody, patch));
const list = (q: Record<string, unknown> = {}) => listNodes(t.ctx, validate(ListNodesQuery, q));
const ftsCount = (word: string) =>
  (t.ctx.db.prepare('SELECT count(*) AS n FROM nodes_fts WHERE nodes_fts MATCH ?').get(word) as { n: number })
    .n;

describe('nodes', () => {
  it('stores every field with defaults, tags deduplicated case-insensitively', () => {
    const n = makeNode(t.ctx, { content: 'alpha', tags: ['Work', '#work', 'home'] });
    expect(n).toMatchObject({
      kind: 'fact',
      namespace: 'default',
      importance: 0.5,
      version: 1,
      access_count: 0,
      tags: ['home', 'Work'],
    });
    expect(getNode(t.ctx, n.id)).toEqual(n);
  });

  it('refuses content over the configured limit, naming it', () => {
    expect(() => makeNode(t.ctx, { content: 'x'.repeat(101) })).toThrow(
      /content: 101 bytes exceeds the limit of 100 bytes/,
    );
  });

  it('updates only what changed, bumps the version, keeps the index in step', () => {
    const n = makeNode(t.ctx, { content: 'alpha beta', tags: ['one'] });
    const same = update(n.id, { content: 'alpha beta', tags: ['ONE'] });
    expect(same.version).toBe(1);
    const changed = update(n.id, { content: 'gamma', tags: ['two'] });
    expect(changed).toMatchObject({ version: 2, content: 'gamma', tags: ['two'] });
    expect(ftsCount('alpha')).toBe(0);
    expect(ftsCount('gamma')).toBe(1);
    expect(ftsCount('two')).toBe(1);
    expect(ftsCount('one')).toBe(0);
  });

  it('refuses a stale expected_version and changes nothing', () => {
    const n = makeNode(t.ctx);
    update(n.id, { title: 'v2' });
    expect(() => update(n.id, { title: 'v3', expected_version: 1 })).toThrow(
      /at version 2, not the expected 1/,
    );
    expect(getNode(t.ctx, n.id)).toMatchObject({ title: 'v2', version: 2 });
  });

  it('deletes to a tombstone, removing edges, tags and the index row', () => {
    const a = makeNode(t.ctx, { content: 'unique', tags: ['x'] });
    const b = makeNode(t.ctx);
    createRelationship(t.ctx, {
      from_node: b.id,
      to_node: a.id,
      kind: 'references',
      weight: 1,
      metadata: {},
    });
    deleteNode(t.ctx, a.id);
    expect(() => getNode(t.ctx, a.id)).toThrow(/not found/);
    expect(ftsCount('unique')).toBe(0);
    const db = t.ctx.db;
    expect(db.prepare('SELECT count(*) AS n FROM relationships').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT count(*) AS n FROM node_tags').get()).toEqual({ n: 0 });
    expect(db.prepare('SELECT namespace, version FROM node_tombstones WHERE id = ?').get(a.id)).toEqual({
      namespace: 'default',
      version: 1,
    });
    expect(db.prepare('SELECT operation FROM changes WHERE entity_id = ? ORDER BY seq').all(a.id)).toEqual([
      { operation: 'create' },
      { operation: 'delete' },
    ]);
  });

  it('pages newest first without gaps or duplicates, even with equal timestamps', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 7; i++) ids.add(makeNode(t.ctx).id);
    t.clock.advance(-100_000); // several nodes may share a created_at: the id breaks ties
    for (let i = 0; i < 5; i++) ids.add(makeNode(t.ctx, { kind: 'task', tags: ['t'] }).id);
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = list({ limit: 3, ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((n) => n.id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toHaveLength(12);
    expect(new Set(seen)).toEqual(ids);
    expect(list({ kind: 'task' }).items).toHaveLength(5);
    expect(list({ tag: 't' }).items).toHaveLength(5);
    expect(() => list({ cursor: 'garbage' })).toThrow(/cursor/);
  });
});
