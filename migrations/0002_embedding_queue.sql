-- Nodes whose vectors must be (re)computed or removed. Written in the same transaction as the
-- node, so a crash never loses the need; one row per node (a newer write replaces an older need).
-- No foreign key: a 'delete' entry outlives its node.
CREATE TABLE embedding_queue (
  node_id TEXT PRIMARY KEY,
  operation TEXT NOT NULL CHECK (operation IN ('upsert', 'delete')),
  enqueued_at TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  last_error TEXT,
  not_before TEXT
) WITHOUT ROWID;
CREATE INDEX embedding_queue_ready ON embedding_queue (not_before, enqueued_at);

-- Every existing node needs a vector.
INSERT INTO embedding_queue (node_id, operation, enqueued_at)
SELECT id, 'upsert', strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM nodes;
