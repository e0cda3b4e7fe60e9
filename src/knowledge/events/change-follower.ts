import type { Statement } from 'better-sqlite3';
import type { Context } from '../../core/context.js';
import type { ChangeEvent, NodeChangeType, NodeRef } from '../../core/events.js';
import { BoundedMap } from './bounded-map.js';

interface ChangeRow {
  seq: number;
  entity: string;
  entity_id: string;
  operation: string;
  namespace: string;
  version: number | null;
  changed_at: string;
}

interface EdgeInfo {
  from_node: string;
  to_node: string;
  kind: string;
}

export interface ChangeFollowerOptions {
  /** how often the feed is polled for writes by other processes */
  intervalMs: number;
  /** changes read per query; a large import is worked off in several turns of the event loop */
  batch?: number;
  /** nodes and edges whose attributes are remembered, to describe them once they are deleted */
  cacheSize?: number;
}

const NODE_EVENTS: Record<string, NodeChangeType> = {
  create: 'node.created',
  update: 'node.updated',
  delete: 'node.deleted',
};

/**
 * Turns the `changes` table into `change` events on the bus. The table is the source, not the
 * services' in-process events, so imports and writes by other processes (an `hx import` beside
 * the server) are published too. A deleted row can no longer be read, so the attributes scope
 * checks need (kind, tags, endpoints) are remembered from earlier events and from this process's
 * own delete events; a deletion nothing is known about carries no tags, which a tag-scoped
 * reader then does not see (fail closed).
 */
export class ChangeFollower {
  readonly #ctx: Context;
  readonly #intervalMs: number;
  readonly #batch: number;
  readonly #nodes: BoundedMap<string, NodeRef>;
  readonly #edges: BoundedMap<string, EdgeInfo>;
  readonly #read: Statement<[number, number], ChangeRow>;
  readonly #tombstone: Statement<[string], { kind: string }>;
  readonly #node: Statement<[string], { namespace: string; kind: string }>;
  readonly #tags: Statement<[string], { tag: string }>;
  readonly #edge: Statement<[string], EdgeInfo>;
  readonly #unsubscribe: (() => void)[] = [];
  #last: number;
  #timer: NodeJS.Timeout | undefined;
  #soon: NodeJS.Immediate | undefined;
  #stopped = true;

  constructor(ctx: Context, options: ChangeFollowerOptions) {
    this.#ctx = ctx;
    this.#intervalMs = options.intervalMs;
    this.#batch = options.batch ?? 500;
    this.#nodes = new BoundedMap(options.cacheSize ?? 50_000);
    this.#edges = new BoundedMap(options.cacheSize ?? 50_000);
    this.#read = ctx.db.prepare(
      'SELECT seq, entity, entity_id, operation, namespace, version, changed_at FROM changes WHERE seq > ? ORDER BY seq LIMIT ?',
    );
    this.#tombstone = ctx.db.prepare('SELECT kind FROM node_tombstones WHERE id = ?');
    this.#node = ctx.db.prepare('SELECT namespace, kind FROM nodes WHERE id = ?');
    this.#tags = ctx.db.prepare('SELECT tag FROM node_tags WHERE node_id = ? ORDER BY tag');
    this.#edge = ctx.db.prepare('SELECT from_node, to_node, kind FROM relationships WHERE id = ?');
    // history before the server started is not replayed: subscribers want what happens next
    this.#last = (ctx.db.prepare('SELECT coalesce(max(seq), 0) AS s FROM changes').get() as { s: number }).s;
  }

  /** the last change published */
  get position(): number {
    return this.#last;
  }

  start(): void {
    if (!this.#stopped) return;
    this.#stopped = false;
    const { bus } = this.#ctx;
    // This process's own writes: remember what a deleted row was, then poll at once instead of
    // waiting for the timer (the write has committed before the event fires).
    this.#unsubscribe.push(
      bus.on('node.created', () => this.poke()),
      bus.on('node.updated', () => this.poke()),
      bus.on('node.deleted', (e) => {
        const known = this.#nodes.get(e.id);
        this.#nodes.set(e.id, { namespace: e.namespace, kind: e.kind, tags: known?.tags ?? [] });
        this.poke();
      }),
      bus.on('relationship.created', () => this.poke()),
      bus.on('relationship.deleted', (e) => {
        this.#edges.set(e.id, { from_node: e.from_node, to_node: e.to_node, kind: e.kind });
        this.poke();
      }),
    );
    this.#schedule();
  }

  stop(): void {
    this.#stopped = true;
    clearTimeout(this.#timer);
    if (this.#soon) clearImmediate(this.#soon);
    this.#soon = undefined;
    for (const off of this.#unsubscribe.splice(0)) off();
  }

  /** polls on the next turn of the event loop (many writes in one turn cost one poll) */
  poke(): void {
    if (this.#stopped || this.#soon) return;
    this.#soon = setImmediate(() => {
      this.#soon = undefined;
      this.#tick();
    });
  }

  /** Reads one batch of changes and publishes it; returns how many changes were read. */
  poll(): number {
    const rows = this.#read.all(this.#last, this.#batch);
    if (rows.length === 0) return 0;
    const { bus } = this.#ctx;
    // nobody listening: skip the lookups, only move the cursor
    const publish = bus.listenerCount('change') > 0;
    for (const row of rows) {
      this.#last = row.seq;
      if (!publish) continue;
      const event = this.#describe(row);
      if (event) bus.emit('change', event);
    }
    return rows.length;
  }

  #tick(): void {
    if (this.#stopped) return;
    clearTimeout(this.#timer);
    let read = 0;
    try {
      read = this.poll();
    } catch (err) {
      this.#ctx.logger.error({ err }, 'change follower: poll failed');
    }
    if (this.#stopped) return;
    // a full batch means more is waiting: continue next turn, letting requests in between
    if (read >= this.#batch) this.poke();
    else this.#schedule();
  }

  #schedule(): void {
    if (this.#stopped) return;
    this.#timer = setTimeout(() => this.#tick(), this.#intervalMs);
    this.#timer.unref();
  }

  #describe(row: ChangeRow): ChangeEvent | null {
    if (row.entity === 'node') return this.#nodeEvent(row);
    if (row.entity === 'relationship') return this.#edgeEvent(row);
    return null;
  }

  #nodeRef(id: string): NodeRef | null {
    const row = this.#node.get(id);
    if (!row) return this.#nodes.get(id) ?? null;
    const tags = this.#tags.all(id).map((t) => t.tag);
    const ref = { namespace: row.namespace, kind: row.kind, tags };
    this.#nodes.set(id, ref);
    return ref;
  }

  #nodeEvent(row: ChangeRow): ChangeEvent | null {
    const type = NODE_EVENTS[row.operation];
    if (!type) return null;
    const ref =
      type === 'node.deleted'
        ? (this.#nodes.get(row.entity_id) ?? null)
        : // a node written and deleted between two polls is described by what is left of it
          this.#nodeRef(row.entity_id);
    const kind = ref?.kind ?? this.#tombstone.get(row.entity_id)?.kind;
    if (!kind) return null;
    return {
      type,
      seq: row.seq,
      id: row.entity_id,
      namespace: row.namespace,
      kind,
      tags: ref?.tags ?? [],
      version: row.version,
      at: row.changed_at,
    };
  }

  #edgeEvent(row: ChangeRow): ChangeEvent | null {
    if (row.operation !== 'create' && row.operation !== 'delete') return null;
    let edge = this.#edges.get(row.entity_id);
    if (row.operation === 'create') {
      const stored = this.#edge.get(row.entity_id);
      if (stored) {
        edge = stored;
        this.#edges.set(row.entity_id, stored);
      }
    }
    return {
      type: row.operation === 'create' ? 'relationship.created' : 'relationship.deleted',
      seq: row.seq,
      id: row.entity_id,
      namespace: row.namespace,
      kind: edge?.kind ?? null,
      source_id: edge?.from_node ?? null,
      target_id: edge?.to_node ?? null,
      endpoints: {
        source: edge ? (this.#nodes.get(edge.from_node) ?? this.#nodeRef(edge.from_node)) : null,
        target: edge ? (this.#nodes.get(edge.to_node) ?? this.#nodeRef(edge.to_node)) : null,
      },
      at: row.changed_at,
    };
  }
}
