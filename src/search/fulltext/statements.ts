import type { Database, Statement } from 'better-sqlite3';

/**
 * Prepared statements of the search paths, kept per connection. Preparing costs 20–100 µs per
 * statement (the FTS5 ones most), several per search: 0.3–0.5 ms of a 3 ms search at 10k notes.
 * The SQL text varies only with which filters are set, so the set stays small; the cap guards
 * against a caller that builds unbounded variants.
 */
const MAX_PER_DB = 200;
const cache = new WeakMap<Database, Map<string, Statement>>();

/** `pluck` is part of a statement's state, so each call says which mode it wants. */
export function statement(db: Database, sql: string, pluck = false): Statement {
  let byText = cache.get(db);
  if (!byText) {
    byText = new Map();
    cache.set(db, byText);
  }
  let st = byText.get(sql);
  if (!st) {
    if (byText.size >= MAX_PER_DB) byText.clear();
    st = db.prepare(sql);
    byText.set(sql, st);
  }
  return st.reader ? st.pluck(pluck) : st;
}
