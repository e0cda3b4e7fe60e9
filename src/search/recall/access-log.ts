import type { Database } from 'better-sqlite3';
import type { Context } from '../../core/context.js';

/**
 * Recall's access counts (`access_count`, `last_accessed_at`), written in batches. One UPDATE per
 * recall was a write transaction of its own (0.6–1 ms at 10k notes, a third of a recall); counts
 * gathered for up to a second go in one. A crash loses at most that second of counts, which only
 * rank and report and never gate anything.
 */
const FLUSH_AFTER_MS = 1000;
const FLUSH_AT_IDS = 1000;

interface Pending {
  ctx: Context;
  counts: Map<string, number>;
  at: string;
  timer: NodeJS.Timeout | null;
}
const pending = new WeakMap<Database, Pending>();

export function recordAccess(ctx: Context, ids: string[]): void {
  if (ids.length === 0) return;
  let p = pending.get(ctx.db);
  if (!p) {
    p = { ctx, counts: new Map(), at: '', timer: null };
    pending.set(ctx.db, p);
  }
  for (const id of ids) p.counts.set(id, (p.counts.get(id) ?? 0) + 1);
  p.at = ctx.clock.now().toISOString();
  if (p.counts.size >= FLUSH_AT_IDS) flushAccess(ctx.db);
  else if (!p.timer) {
    p.timer = setTimeout(() => flushAccess(ctx.db), FLUSH_AFTER_MS);
    p.timer.unref();
  }
}

/** Writes what is pending now; the composition root calls it before the database closes. */
export function flushAccess(db: Database): void {
  const p = pending.get(db);
  if (!p) return;
  if (p.timer) clearTimeout(p.timer);
  p.timer = null;
  if (p.counts.size === 0 || !db.open) return;
  const counts = [...p.counts];
  p.counts.clear();
  try {
    const update = db.prepare(
      'UPDATE nodes SET access_count = access_count + ?, last_accessed_at = ? WHERE id = ?',
    );
    db.transaction(() => {
      for (const [id, n] of counts) update.run(n, p.at, id);
    })();
  } catch (err) {
    p.ctx.logger.warn({ err: (err as Error).message }, 'could not record recall access');
  }
}
