import { afterEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../storage/database.js';
import { migrate } from '../storage/migrations.js';
import { UsageStore, type UsageRow } from './usage-store.js';

const row = (request_id: string): UsageRow => ({
  at: '2026-03-01T12:00:00.000Z',
  day: '2026-03-01',
  provider: 'openai',
  model: 'gpt-4o-mini',
  task: 'chat',
  input_tokens: 3,
  output_tokens: 4,
  cost_usd: 0.5,
  latency_ms: 1,
  outcome: 'ok',
  error_code: null,
  stream: false,
  principal_id: null,
  request_id,
});

const open = () => {
  const db = openDatabase(':memory:');
  migrate(db, () => new Date().toISOString());
  return db;
};
const count = (db: ReturnType<typeof open>) =>
  (db.prepare('SELECT COUNT(*) AS n FROM llm_usage').get() as { n: number }).n;

let db: ReturnType<typeof open> | undefined;
afterEach(() => db?.close());

describe('UsageStore', () => {
  it('writes synchronously by default', () => {
    db = open();
    new UsageStore(db).record(row('a'));
    expect(count(db)).toBe(1);
  });

  it('in end-of-tick mode writes the rows of one tick together, before the next turn; reads flush first', async () => {
    db = open();
    const store = new UsageStore(db, { endOfTick: true });
    store.record(row('a'));
    store.record(row('b'));
    expect(count(db)).toBe(0);
    await new Promise((r) => setImmediate(r));
    expect(count(db)).toBe(2);
    store.record(row('c'));
    expect(store.spendOn('2026-03-01').get('openai')).toBeCloseTo(1.5);
  });

  it('reports a deferred write that failed instead of throwing from the tick', async () => {
    db = open();
    const failures: number[] = [];
    const store = new UsageStore(db, { endOfTick: true, onWriteError: (_err, rows) => failures.push(rows) });
    store.record({ ...row('a'), outcome: 'bogus' as UsageRow['outcome'] });
    await new Promise((r) => setImmediate(r));
    expect(failures).toEqual([1]);
    expect(count(db)).toBe(0);
  });

  it('in batch mode writes the rows of a window in one transaction; reads and a full batch flush first', async () => {
    db = open();
    const store = new UsageStore(db, { batchMs: 20, maxBatch: 3 });
    store.record(row('a'));
    store.record(row('b'));
    await new Promise((r) => setImmediate(r));
    expect(count(db)).toBe(0);
    await new Promise((r) => setTimeout(r, 40));
    expect(count(db)).toBe(2);
    store.record(row('c'));
    expect(store.spendOn('2026-03-01').get('openai')).toBeCloseTo(1.5);
    store.record(row('d'));
    store.record(row('e'));
    store.record(row('f'));
    expect(count(db)).toBe(6);
    store.flush();
    expect(count(db)).toBe(6);
  });
});
