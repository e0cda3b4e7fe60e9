import type { Database } from 'better-sqlite3';

export type UsageOutcome = 'ok' | 'error' | 'rejected' | 'aborted';

export interface UsageRow {
  at: string;
  day: string;
  provider: string;
  model: string;
  task: string;
  input_tokens: number;
  output_tokens: number;
  cost_usd: number;
  latency_ms: number;
  outcome: UsageOutcome;
  error_code: string | null;
  stream: boolean;
  principal_id: string | null;
  request_id: string | null;
}

const bindable = (row: UsageRow) => ({ ...row, stream: row.stream ? 1 : 0 });

export interface SpendRow {
  day: string;
  provider: string;
  cost_usd: number;
  calls: number;
  input_tokens: number;
  output_tokens: number;
}

export interface UsageStoreOptions {
  /**
   * Write rows at the end of the current tick instead of inside `record` (the worker's HTTP
   * path): the INSERT then runs after the reply is written, off the call's latency, and rows of
   * calls that end in the same tick share one transaction. Nothing is held across an event-loop
   * turn: only a crash between writing a reply and the end of that tick loses its row
   * (docs/decisions/0011-worker-hot-path.md). Every read here flushes first.
   */
  endOfTick?: boolean;
  /**
   * Write rows in batches instead: the first queued row starts a timer of this many ms, and
   * the rows queued by then go in one transaction (or sooner, when `maxBatch` rows wait). One
   * SQLite commit costs about 0.15 ms of CPU on the worker (locks, WAL frames, the occasional
   * checkpoint), against ~0.01 ms per row inside a shared one (docs/decisions/0011-worker-hot-path.md).
   * Reads here still flush first, so the budget and stats routes see every row; the owner flushes
   * on close and on process exit, so only a hard kill (SIGKILL, power loss) loses the window.
   */
  batchMs?: number;
  /** with `batchMs`: write at once when this many rows wait (default 256) */
  maxBatch?: number;
  /**
   * a deferred write failed: the rows are dropped and reported here (default: a process
   * warning); a synchronous write throws to its caller
   */
  onWriteError?: (err: unknown, rows: number) => void;
}

/** SQL over llm_usage (migration 0009): one row per attempt, sums for the budget and stats. */
export class UsageStore {
  private readonly insert;
  private readonly insertMany;
  private readonly spendOfDay;
  private pending: UsageRow[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: UsageStoreOptions = {},
  ) {
    this.insert = db.prepare(
      `INSERT INTO llm_usage (at, day, provider, model, task, input_tokens, output_tokens, cost_usd,
         latency_ms, outcome, error_code, stream, principal_id, request_id)
       VALUES (@at, @day, @provider, @model, @task, @input_tokens, @output_tokens, @cost_usd,
         @latency_ms, @outcome, @error_code, @stream, @principal_id, @request_id)`,
    );
    this.insertMany = db.transaction((rows: UsageRow[]) => {
      for (const row of rows) this.insert.run(bindable(row));
    });
    this.spendOfDay = db.prepare(
      'SELECT provider, SUM(cost_usd) AS cost FROM llm_usage WHERE day = ? GROUP BY provider',
    );
  }

  record(row: UsageRow): void {
    const { endOfTick, batchMs } = this.options;
    if (batchMs !== undefined && batchMs > 0) {
      const n = this.pending.push(row);
      if (n >= (this.options.maxBatch ?? 256)) this.flush();
      else if (n === 1) this.timer = setTimeout(() => this.flush(), batchMs);
      return;
    }
    if (!endOfTick) {
      this.insert.run(bindable(row));
      return;
    }
    if (this.pending.push(row) === 1) process.nextTick(() => this.flush());
  }

  /** Writes the rows queued by `record` in end-of-tick or batch mode (a no-op otherwise). */
  flush(): void {
    if (this.timer !== undefined) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    if (this.pending.length === 0) return;
    const rows = this.pending;
    this.pending = [];
    try {
      if (rows.length === 1) this.insert.run(bindable(rows[0]!));
      else this.insertMany(rows);
    } catch (err) {
      if (this.options.onWriteError) this.options.onWriteError(err, rows.length);
      else process.emitWarning(`${rows.length} llm_usage rows could not be written: ${String(err)}`);
    }
  }

  /** settled spend per provider on one UTC day */
  spendOn(day: string): Map<string, number> {
    this.flush();
    const rows = this.spendOfDay.all(day) as { provider: string; cost: number }[];
    return new Map(rows.map((r) => [r.provider, r.cost]));
  }

  /** spend by day and provider, newest day first */
  spendByDay(sinceDay: string): SpendRow[] {
    this.flush();
    return this.db
      .prepare(
        `SELECT day, provider, SUM(cost_usd) AS cost_usd, COUNT(*) AS calls,
           SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens
         FROM llm_usage WHERE day >= ? GROUP BY day, provider ORDER BY day DESC, provider`,
      )
      .all(sinceDay) as SpendRow[];
  }

  /** per provider/model counts, outcomes, tokens, cost and latency since a day */
  stats(sinceDay: string) {
    this.flush();
    return this.db
      .prepare(
        `SELECT provider, model, COUNT(*) AS calls,
           SUM(outcome = 'ok') AS ok, SUM(outcome = 'error') AS errors,
           SUM(outcome = 'rejected') AS rejected, SUM(outcome = 'aborted') AS aborted,
           SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens,
           SUM(cost_usd) AS cost_usd, AVG(CASE WHEN outcome = 'ok' THEN latency_ms END) AS avg_latency_ms
         FROM llm_usage WHERE day >= ? GROUP BY provider, model ORDER BY calls DESC`,
      )
      .all(sinceDay) as {
      provider: string;
      model: string;
      calls: number;
      ok: number;
      errors: number;
      rejected: number;
      aborted: number;
      input_tokens: number;
      output_tokens: number;
      cost_usd: number;
      avg_latency_ms: number | null;
    }[];
  }
}
