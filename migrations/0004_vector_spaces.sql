-- Which embedding spaces this database has vectors in, and whether each is complete. A new space
-- (a model switch) starts 'filling': recall uses full text alone until the queue has drained.
CREATE TABLE vector_spaces (
  id TEXT PRIMARY KEY,
  dimensions INTEGER NOT NULL,
  state TEXT NOT NULL CHECK (state IN ('filling', 'complete')),
  started_at TEXT NOT NULL,
  completed_at TEXT,
  -- the space recall uses now; switching back to an older space re-queues every node (unchanged
  -- text is skipped by its hash, changed text gets a fresh vector)
  active INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;
