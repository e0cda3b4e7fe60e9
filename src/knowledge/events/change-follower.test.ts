import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createApp } from '../../api/create-app.js';
import { loadConfig } from '../../core/config/load.js';
import type { ChangeEvent } from '../../core/events.js';
import { silentLogger } from '../../core/logger.js';
import { validate } from '../../core/validate.js';
import { makeNode, makeTestApp, type TestApp } from '../../testing/make-context.js';
import { deleteNode, updateNode } from '../nodes/service.js';
import { UpdateNodeBody } from '../nodes/schema.js';
import { CreateRelationshipBody } from '../relationships/schema.js';
import { createRelationship, deleteRelationship } from '../relationships/service.js';
import { ChangeFollower } from './change-follower.js';

describe('ChangeFollower', () => {
  let app: TestApp;
  let follower: ChangeFollower;
  let events: ChangeEvent[];

  beforeEach(() => {
    app = makeTestApp();
    events = [];
    follower = new ChangeFollower(app.ctx, { intervalMs: 10_000 });
    app.ctx.bus.on('change', (e) => events.push(e));
  });
  afterEach(() => {
    follower.stop();
    app.dispose();
  });

  it('publishes node and relationship writes in commit order, with scope attributes', () => {
    follower.start(); // listens to this process's delete events (what a deleted edge joined)
    const a = makeNode(app.ctx, { namespace: 'work', kind: 'task', tags: ['x', 'y'] });
    const b = makeNode(app.ctx, { namespace: 'work' });
    // as the running follower would have, between these writes
    follower.poll();
    updateNode(app.ctx, a.id, validate(UpdateNodeBody, { title: 'renamed' }));
    const rel = createRelationship(
      app.ctx,
      validate(CreateRelationshipBody, { from_node: a.id, to_node: b.id }),
    );
    deleteRelationship(app.ctx, rel.id);
    deleteNode(app.ctx, a.id);
    while (follower.poll() > 0);
    expect(events.map((e) => e.type)).toEqual([
      'node.created',
      'node.created',
      'node.updated',
      'relationship.created',
      'relationship.deleted',
      'node.deleted',
    ]);
    const seqs = events.map((e) => e.seq);
    expect([...seqs].sort((x, y) => x - y)).toEqual(seqs);
    expect(events[0]).toMatchObject({
      id: a.id,
      namespace: 'work',
      kind: 'task',
      tags: ['x', 'y'],
      version: 1,
    });
    expect(events[2]).toMatchObject({ id: a.id, version: 2 });
    for (const e of events.slice(3, 5)) {
      expect(e).toMatchObject({
        id: rel.id,
        namespace: 'work',
        source_id: a.id,
        target_id: b.id,
        kind: 'relates_to',
      });
    }
    // the deleted node is still described (kind and tags were seen before it went)
    expect(events[5]).toMatchObject({ id: a.id, kind: 'task', tags: ['x', 'y'] });
  });

  it('sees writes made through another connection (another process) and never replays history', () => {
    makeNode(app.ctx, { content: 'before the follower' });
    const late = new ChangeFollower(app.ctx, { intervalMs: 10_000 });
    const other = createApp(loadConfig({ home: app.home, env: {} }), { logger: silentLogger() });
    try {
      const n = makeNode(other.ctx, { namespace: 'elsewhere', tags: ['t'] });
      const seen: ChangeEvent[] = [];
      const off = app.ctx.bus.on('change', (e) => seen.push(e));
      late.poll();
      off();
      expect(seen).toHaveLength(1);
      expect(seen[0]).toMatchObject({ type: 'node.created', id: n.id, namespace: 'elsewhere', tags: ['t'] });
      // deleted elsewhere before anything here saw it: kind from the tombstone, no tags (fail closed)
      const gone = makeNode(other.ctx, { kind: 'decision', tags: ['secret-tag'] });
      deleteNode(other.ctx, gone.id);
      const after: ChangeEvent[] = [];
      const off2 = app.ctx.bus.on('change', (e) => after.push(e));
      late.poll();
      off2();
      expect(after.map((e) => e.type)).toEqual(['node.created', 'node.deleted']);
      expect(after[0]).toMatchObject({ kind: 'decision', tags: [] });
      expect(after[1]).toMatchObject({ kind: 'decision', tags: [] });
    } finally {
      other.close();
    }
  });

  it('only moves its cursor when nobody listens, and polls at once after an in-process write', async () => {
    const quiet = makeTestApp();
    try {
      const f = new ChangeFollower(quiet.ctx, { intervalMs: 60_000 });
      makeNode(quiet.ctx);
      expect(f.poll()).toBe(1);
      expect(f.position).toBeGreaterThan(0);
      const got: ChangeEvent[] = [];
      quiet.ctx.bus.on('change', (e) => got.push(e));
      f.start();
      makeNode(quiet.ctx);
      // the timer is a minute away: only the poke can deliver this
      await new Promise((r) => setTimeout(r, 50));
      f.stop();
      expect(got.map((e) => e.type)).toEqual(['node.created']);
    } finally {
      quiet.dispose();
    }
  });

  it('works a large backlog off in batches across turns of the event loop', async () => {
    const f = new ChangeFollower(app.ctx, { intervalMs: 60_000, batch: 7 });
    for (let i = 0; i < 30; i++) makeNode(app.ctx);
    f.start();
    f.poke();
    await new Promise((r) => setTimeout(r, 100));
    f.stop();
    expect(events.filter((e) => e.type === 'node.created')).toHaveLength(30);
  });
});
