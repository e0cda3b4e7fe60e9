-- Proposals: changes a view/edit-tier key (an agent over MCP) asks for instead of writing.
-- Each proposal is mirrored by a node of kind `proposal` with the same id (so it shows up in the
-- owner's inbox and searches); this table holds the structured change and its decision, which a
-- node's free-form metadata could not keep consistent. `before` keeps what an approval replaced,
-- so an approved change can be undone.
CREATE TABLE proposals (
  id TEXT PRIMARY KEY,
  action TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete', 'tag')),
  status TEXT NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'undone')),
  namespace TEXT NOT NULL,
  target_node_id TEXT,
  payload TEXT NOT NULL,
  confidence REAL NOT NULL,
  reason TEXT,
  source TEXT NOT NULL,
  proposed_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  decided_at TEXT,
  decided_by TEXT,
  decision_note TEXT,
  auto_rule_id TEXT,
  result_node_id TEXT,
  before TEXT
);

CREATE INDEX proposals_status ON proposals (status, created_at);
CREATE INDEX proposals_namespace ON proposals (namespace, created_at);

-- MCP servers Helix connects to as a client. Secrets are never stored here: `secret_env` and
-- `bearer_secret` name entries of the secret store, resolved only when the connector starts.
CREATE TABLE mcp_connectors (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  transport TEXT NOT NULL CHECK (transport IN ('stdio', 'http')),
  command TEXT,
  args TEXT NOT NULL DEFAULT '[]',
  env TEXT NOT NULL DEFAULT '{}',
  secret_env TEXT NOT NULL DEFAULT '{}',
  url TEXT,
  bearer_secret TEXT,
  enabled INTEGER NOT NULL DEFAULT 1,
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);
