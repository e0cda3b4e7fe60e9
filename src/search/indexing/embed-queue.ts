import type { Database } from 'better-sqlite3';

export interface QueueEntry {
  node_id: string;
  operation: 'upsert' | 'delete';
  enqueued_at: string;
  attempts: number;
}

export interface SpaceState {
  id: string;
  dimensions: number;
  state: 'filling' | 'complete';
  started_at: string;
  completed_at: string | null;
  active: number;
}

/** SQL of the durable embedding queue (filled by node writes, see nodes/store.ts). */
export class EmbedQueue {
  constructor(private readonly db: Database) {}

  ready(now: string, limit: number): QueueEntry[] {
    return this.db
      .prepare(
        `SELECT node_id, operation, enqueued_at, attempts FROM embedding_queue
         WHERE not_before IS NULL OR not_before <= ? ORDER BY enqueued_at LIMIT ?`,
      )
      .all(now, limit) as QueueEntry[];
  }

  /** Removes entries that were handled, unless a newer write re-queued the node meanwhile. */
  done(entries: readonly QueueEntry[]): void {
    const del = this.db.prepare('DELETE FROM embedding_queue WHERE node_id = ? AND enqueued_at = ?');
    this.db.transaction(() => {
      for (const e of entries) del.run(e.node_id, e.enqueued_at);
    })();
  }

  /** Backs off `min(5 × 2^attempts, 3600)` seconds, the job queue's retry rule. */
  failed(entries: readonly QueueEntry[], error: string, now: Date): void {
    const upd = this.db.prepare(
      'UPDATE embedding_queue SET attempts = attempts + 1, last_error = ?, not_before = ? WHERE node_id = ? AND enqueued_at = ?',
    );
    this.db.transaction(() => {
      for (const e of entries) {
        const delay = Math.min(5 * 2 ** e.attempts, 3600) * 1000;
        upd.run(error.slice(0, 500), new Date(now.getTime() + delay).toISOString(), e.node_id, e.enqueued_at);
      }
    })();
  }

  pending(): number {
    return (this.db.prepare('SELECT count(*) AS n FROM embedding_queue').get() as { n: number }).n;
  }

  lastError(): string | null {
    return (
      (
        this.db
          .prepare('SELECT last_error FROM embedding_queue WHERE last_error IS NOT NULL LIMIT 1')
          .get() as { last_error: string } | undefined
      )?.last_error ?? null
    );
  }

  /** Queues every node (a new space, or a rebuild); existing entries keep their place. */
  enqueueAll(now: string): number {
    return this.db
      .prepare(
        `INSERT INTO embedding_queue (node_id, operation, enqueued_at) SELECT id, 'upsert', ? FROM nodes WHERE true
         ON CONFLICT (node_id) DO UPDATE SET operation = 'upsert'`,
      )
      .run(now).changes;
  }

  space(id: string): SpaceState | undefined {
    return this.db.prepare('SELECT * FROM vector_spaces WHERE id = ?').get(id) as SpaceState | undefined;
  }

  /** Makes a space the active one; a new one starts filling. Either way every node is queued. */
  ensureSpace(id: string, dimensions: number, now: string): SpaceState {
    return this.db.transaction(() => {
      const existing = this.db.prepare('SELECT active FROM vector_spaces WHERE id = ?').get(id) as
        | { active: number }
        | undefined;
      if (existing?.active) return this.space(id)!;
      this.db.prepare('UPDATE vector_spaces SET active = 0').run();
      if (existing) this.db.prepare('UPDATE vector_spaces SET active = 1 WHERE id = ?').run(id);
      else {
        this.db
          .prepare(
            "INSERT INTO vector_spaces (id, dimensions, state, started_at, active) VALUES (?, ?, 'filling', ?, 1)",
          )
          .run(id, dimensions, now);
      }
      this.enqueueAll(now);
      return this.space(id)!;
    })();
  }

  markFilling(id: string, now: string): void {
    this.db
      .prepare("UPDATE vector_spaces SET state = 'filling', started_at = ?, completed_at = NULL WHERE id = ?")
      .run(now, id);
  }

  markComplete(id: string, now: string): void {
    this.db
      .prepare(
        "UPDATE vector_spaces SET state = 'complete', completed_at = ? WHERE id = ? AND state = 'filling'",
      )
      .run(now, id);
  }

  /** Spaces other than the active one: what a completed model switch leaves behind. */
  inactiveSpaces(): { id: string; dimensions: number }[] {
    return this.db.prepare('SELECT id, dimensions FROM vector_spaces WHERE active = 0').all() as {
      id: string;
      dimensions: number;
    }[];
  }

  forgetSpace(id: string): void {
    this.db.prepare('DELETE FROM vector_spaces WHERE id = ? AND active = 0').run(id);
  }
}
