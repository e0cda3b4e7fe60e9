-- Nodes per namespace, maintained by triggers so a quota check is one primary-key lookup instead
-- of counting the namespace's index entries on every create (docs/benchmarks.md, quotas).
CREATE TABLE namespace_usage (
  namespace TEXT PRIMARY KEY,
  nodes INTEGER NOT NULL DEFAULT 0
) WITHOUT ROWID;

INSERT INTO namespace_usage (namespace, nodes)
  SELECT namespace, COUNT(*) FROM nodes GROUP BY namespace;

CREATE TRIGGER namespace_usage_insert AFTER INSERT ON nodes BEGIN
  INSERT INTO namespace_usage (namespace, nodes) VALUES (NEW.namespace, 1)
    ON CONFLICT (namespace) DO UPDATE SET nodes = nodes + 1;
END;

CREATE TRIGGER namespace_usage_delete AFTER DELETE ON nodes BEGIN
  UPDATE namespace_usage SET nodes = nodes - 1 WHERE namespace = OLD.namespace;
END;

CREATE TRIGGER namespace_usage_move AFTER UPDATE OF namespace ON nodes
  WHEN OLD.namespace <> NEW.namespace BEGIN
  UPDATE namespace_usage SET nodes = nodes - 1 WHERE namespace = OLD.namespace;
  INSERT INTO namespace_usage (namespace, nodes) VALUES (NEW.namespace, 1)
    ON CONFLICT (namespace) DO UPDATE SET nodes = nodes + 1;
END;

-- Senders whose messages adapters drop. `pattern` is an exact address, a domain (`@example.com`)
-- or a glob (`*@*.example.com`), stored lower-cased; channel '*' applies to every channel.
CREATE TABLE blocked_senders (
  id TEXT PRIMARY KEY,
  pattern TEXT NOT NULL,
  channel TEXT NOT NULL DEFAULT '*',
  reason TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  UNIQUE (channel, pattern)
);

-- Rules under which a proposal (from an agent, an adapter, an MCP client) is applied without the
-- owner's review. NULL kind/source and '*' namespace mean "any"; `tags` must all be on the proposal.
CREATE TABLE auto_approve_rules (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL,
  namespace TEXT NOT NULL DEFAULT '*',
  kind TEXT,
  tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(tags)),
  source TEXT,
  min_confidence REAL NOT NULL CHECK (min_confidence >= 0 AND min_confidence <= 1),
  enabled INTEGER NOT NULL DEFAULT 1 CHECK (enabled IN (0, 1)),
  description TEXT,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
CREATE INDEX auto_approve_rules_action ON auto_approve_rules (action, enabled);
