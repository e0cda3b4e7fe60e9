import { statSync } from 'node:fs';
import type { Table } from '@lancedb/lancedb';
import type { VectorRow } from './arrow.js';
import { MemoryVectors } from './memory-index.js';

/**
 * Largest table kept in memory, in floats (64 MiB). Beyond it a dense query costs more in JS than
 * LanceDB's HNSW search (~10 ms), so the copy would only cost memory.
 */
export const MAX_COPY_FLOATS = 16_000_000;
/**
 * Most multiply-adds one in-memory search may cost before the ANN index is asked instead. The JS
 * scan runs at ~1 ns per multiply-add here, so this is ~4 ms: well under LanceDB's 10 ms at 10k
 * rows (which hardly depends on the table's size).
 */
export const EXACT_SCAN_BUDGET = 4_000_000;
/** After a failed load, wait this long before trying again. */
const RETRY_MS = 60_000;

type State = 'none' | 'loading' | 'ready' | 'too_big' | 'failed';

/** What identifies the table's state on disk: every commit adds a manifest file to `_versions/`. */
const stamp = (dir: string): { key: string; mtimeMs: number } | null => {
  const s = statSync(dir, { throwIfNoEntry: false });
  return s ? { key: `${s.ino}:${s.mtimeMs}`, mtimeMs: s.mtimeMs } : null;
};

/**
 * Keeps a MemoryVectors in step with its LanceDB table. This process's writes are applied as they
 * commit. Any other commit (a CLI reindex, a second server, index maintenance) changes the
 * table's `_versions/` folder, which each search checks with one stat (~3 µs): the copy is then
 * dropped and reloaded in the background, and LanceDB answers meanwhile. A folder that is gone
 * drops the copy too, so LanceDB reports the broken table as before. LanceDB's handle may read a
 * foreign commit only after its read consistency interval, so a copy loaded within that interval
 * of a commit is loaded once more after it.
 */
export class MemoryCopy {
  private state: State = 'none';
  private copy: MemoryVectors | null = null;
  /** `_versions/` as of the copy */
  private seen: string | null = null;
  /** when the copy must be read again (a commit was too recent for the handle to have seen it) */
  private recheckAt = Number.POSITIVE_INFINITY;
  private failedAt = 0;

  constructor(
    private readonly lance: Table,
    private readonly dimensions: number,
    private readonly versionsDir: string,
    /** runs `fn` with no write of this process in flight (VectorTable's write queue) */
    private readonly exclusive: <T>(fn: () => Promise<T>) => Promise<T>,
    /** LanceDB's read consistency interval */
    private readonly consistencyMs: number,
  ) {}

  /** The copy when it is loaded and current; otherwise null (see `refresh`). */
  use(): MemoryVectors | null {
    if (this.state === 'loading') return null;
    if (this.state === 'ready') {
      if (stamp(this.versionsDir)?.key === this.seen && Date.now() < this.recheckAt) return this.copy;
      this.copy = null;
      this.state = 'none';
    }
    return null;
  }

  /**
   * Called after LanceDB answered a search: (re)loads the copy if it is missing or stale. Only
   * then, so the load never reads beside a query of the same table (whose failure must surface
   * as it is) and a table that cannot answer is not copied.
   */
  refresh(): void {
    const retry =
      (this.state === 'failed' || this.state === 'too_big') && Date.now() - this.failedAt > RETRY_MS;
    if (this.state === 'none' || retry) void this.reload();
  }

  /** Loads now if needed and waits (tests, benchmarks); true when the copy is ready. */
  async ready(): Promise<boolean> {
    if (this.state !== 'loading' && !this.use()) await this.reload();
    while (this.state === 'loading') await new Promise((r) => setTimeout(r, 5));
    return this.use() !== null;
  }

  /** Called inside the write queue after each committed write of this process. */
  applied(change: { upserted?: readonly VectorRow[]; removed?: readonly string[] }): void {
    if (this.state !== 'ready' || !this.copy) return;
    for (const row of change.upserted ?? []) this.copy.set(row.node_id, row.namespace, row.vector);
    for (const id of change.removed ?? []) this.copy.delete(id);
    if (this.copy.size * this.dimensions > MAX_COPY_FLOATS) {
      this.giveUp('too_big');
      return;
    }
    // A commit by another process between ours and this stat is taken for ours until the next
    // commit: a window of one write, against LanceDB's own 5 s read consistency interval.
    this.seen = stamp(this.versionsDir)?.key ?? null;
  }

  private giveUp(state: 'too_big' | 'failed'): void {
    this.copy = null;
    this.state = state;
    this.failedAt = Date.now();
  }

  private reload(): Promise<void> {
    this.state = 'loading';
    return this.exclusive(async () => {
      try {
        const before = stamp(this.versionsDir);
        if (before === null) return this.giveUp('failed');
        if ((await this.lance.countRows()) * this.dimensions > MAX_COPY_FLOATS) return this.giveUp('too_big');
        const copy = await this.read();
        // a commit while reading may or may not be in the copy: keep the older stamp, so the
        // next search sees a change and loads again
        this.seen = before.key;
        const settled = before.mtimeMs + this.consistencyMs + 100;
        this.recheckAt = settled > Date.now() ? settled : Number.POSITIVE_INFINITY;
        this.copy = copy;
        this.state = 'ready';
      } catch {
        this.giveUp('failed');
      }
    });
  }

  private async read(): Promise<MemoryVectors> {
    const copy = new MemoryVectors(this.dimensions);
    const table = await this.lance.query().select(['node_id', 'namespace', 'vector']).toArrow();
    for (const batch of table.batches) {
      const ids = batch.getChild('node_id')!;
      const namespaces = batch.getChild('namespace')!;
      const vectors = batch.getChild('vector')!;
      for (let i = 0; i < batch.numRows; i++) {
        const v = vectors.get(i) as { toArray(): Float32Array } | null;
        if (v) copy.set(String(ids.get(i)), String(namespaces.get(i)), v.toArray());
      }
    }
    return copy;
  }
}
