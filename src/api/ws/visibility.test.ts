import { describe, expect, it } from 'vitest';
import type { ChangeEvent } from '../../core/events.js';
import type { Principal } from '../../security/principal.js';
import { ClientMessage, matches, presentEvent } from './protocol.js';
import { eventVisible } from './visibility.js';

const node = (over: Partial<Extract<ChangeEvent, { tags: string[] }>> = {}): ChangeEvent => ({
  type: 'node.created',
  seq: 1,
  id: 'n1',
  namespace: 'work',
  kind: 'task',
  tags: ['project-x'],
  version: 1,
  at: '2026-01-01T00:00:00.000Z',
  ...over,
});

const edge = (source: { kind: string; tags: string[] } | null, target = source): ChangeEvent => ({
  type: 'relationship.created',
  seq: 2,
  id: 'r1',
  namespace: 'work',
  kind: 'relates_to',
  source_id: 'n1',
  target_id: 'n2',
  endpoints: {
    source: source && { namespace: 'work', ...source },
    target: target && { namespace: 'work', ...target },
  },
  at: '2026-01-01T00:00:00.000Z',
});

const who = (namespaces: string[], scope?: Principal['scope']): Principal => ({
  id: 'k',
  role: 'read',
  namespaces,
  via: 'access_key',
  ...(scope ? { scope } : {}),
});

describe('eventVisible', () => {
  it('follows namespaces', () => {
    expect(eventVisible(who(['work']), node())).toBe(true);
    expect(eventVisible(who(['*']), node())).toBe(true);
    expect(eventVisible(who(['home']), node())).toBe(false);
    expect(eventVisible(who(['home']), edge({ kind: 'task', tags: [] }))).toBe(false);
  });

  it("follows a key's tag and kind scope, for nodes and both ends of an edge", () => {
    const key = who(['work'], { tags: ['project-x'], kinds: ['task'] });
    expect(eventVisible(key, node())).toBe(true);
    expect(eventVisible(key, node({ kind: 'fact' }))).toBe(false);
    expect(eventVisible(key, node({ tags: ['other'] }))).toBe(false);
    // a deletion nothing was known about carries no tags: hidden from a tag-scoped key
    expect(eventVisible(key, node({ type: 'node.deleted', tags: [] }))).toBe(false);
    const inScope = { kind: 'task', tags: ['project-x'] };
    expect(eventVisible(key, edge(inScope))).toBe(true);
    expect(eventVisible(key, edge(inScope, { kind: 'task', tags: [] }))).toBe(false);
    expect(eventVisible(key, edge(null))).toBe(false);
    // unscoped principals judge an edge with unknown ends by its namespace
    expect(eventVisible(who(['work']), edge(null))).toBe(true);
  });
});

describe('protocol', () => {
  it('matches exact names and wildcards', () => {
    const set = new Set(['node.*', 'relationship.deleted']);
    expect(matches(set, 'node.created')).toBe(true);
    expect(matches(set, 'relationship.deleted')).toBe(true);
    expect(matches(set, 'relationship.created')).toBe(false);
    expect(matches(new Set(['*']), 'relationship.created')).toBe(true);
    expect(matches(new Set(), 'node.created')).toBe(false);
  });

  it('validates client messages strictly', () => {
    expect(ClientMessage.safeParse({ type: 'subscribe', events: ['node.*'] }).success).toBe(true);
    expect(ClientMessage.safeParse({ type: 'subscribe', events: ['node.exploded'] }).success).toBe(false);
    expect(ClientMessage.safeParse({ type: 'subscribe', events: [] }).success).toBe(false);
    expect(ClientMessage.safeParse({ type: 'subscribe', events: ['*'], extra: 1 }).success).toBe(false);
    expect(
      ClientMessage.safeParse({ type: 'subscribe', events: ['*'], namespaces: ['bad ns'] }).success,
    ).toBe(false);
    expect(ClientMessage.safeParse({ type: 'shout' }).success).toBe(false);
  });

  it('presents events without internal fields', () => {
    expect(presentEvent(node())).toEqual({
      type: 'event',
      event: 'node.created',
      data: {
        id: 'n1',
        namespace: 'work',
        kind: 'task',
        tags: ['project-x'],
        version: 1,
        at: '2026-01-01T00:00:00.000Z',
      },
    });
    const e = presentEvent(edge({ kind: 'task', tags: ['secret'] }));
    expect(e.data).toEqual({
      id: 'r1',
      namespace: 'work',
      kind: 'relates_to',
      source_id: 'n1',
      target_id: 'n2',
      at: '2026-01-01T00:00:00.000Z',
    });
    expect(JSON.stringify(e)).not.toContain('secret');
  });
});
