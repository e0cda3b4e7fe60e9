import { describe, expect, it } from 'vitest';
import { planIndexWork } from './index-policy.js';
import { tableNameFor } from './space.js';

describe('tableNameFor', () => {
  it('is readable, [a-z0-9_] only, and distinct where sanitizing alone would collide', () => {
    const a = tableNameFor({ id: 'glove:sg-100d:100', dimensions: 100 });
    expect(a).toMatch(/^glove_sg_100d_100_100_[0-9a-f]{8}$/);
    const names = [
      tableNameFor({ id: 'openai:a-b:384', dimensions: 384 }),
      tableNameFor({ id: 'openai:a_b:384', dimensions: 384 }),
      tableNameFor({ id: 'openai:a-b:384', dimensions: 768 }),
      tableNameFor({ id: 'OpenAI:A-B:384', dimensions: 384 }),
    ];
    expect(new Set(names).size).toBe(4);
    for (const n of names) expect(n).toMatch(/^[a-z0-9_]+$/);
    expect(
      tableNameFor({ id: `local_fastembed:${'x/'.repeat(200)}:384`, dimensions: 384 }).length,
    ).toBeLessThan(110);
  });
});

describe('planIndexWork', () => {
  const base = { dimensions: 100, smallFragments: 1 };
  it('brute-forces small tables and indexes past the budget', () => {
    expect(planIndexWork({ ...base, rows: 5_000, index: null })).toBe('none');
    expect(planIndexWork({ ...base, rows: 6_000, index: null })).toBe('create');
    // 384 dims cost ~4× per row: the index comes sooner
    expect(planIndexWork({ ...base, dimensions: 384, rows: 2_000, index: null })).toBe('create');
    expect(planIndexWork({ ...base, rows: 100, smallFragments: 40, index: null })).toBe('compact');
  });

  it('refreshes once unindexed rows pass 10% (or a quarter of the budget), retrains past 5 segments', () => {
    const indexed = (unindexed: number, segments = 1) => ({
      ...base,
      rows: 10_000,
      index: { unindexed, segments },
    });
    expect(planIndexWork(indexed(900))).toBe('none');
    expect(planIndexWork(indexed(1_000))).toBe('refresh');
    expect(planIndexWork({ ...indexed(1_499), rows: 100_000 })).toBe('none');
    expect(planIndexWork({ ...indexed(1_500), rows: 100_000 })).toBe('refresh');
    expect(planIndexWork(indexed(1_000, 5))).toBe('rebuild');
  });
});
