-- Identity beyond the shared token: API keys, permission templates, consumers and their access
-- keys, OAuth2 clients, and public shares. No secret is stored: each table keeps the SHA-256 of
-- a random, high-entropy secret and a short visible prefix to find the row and show it in lists.

CREATE TABLE api_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'write', 'read')),
  namespaces TEXT NOT NULL CHECK (json_valid(namespaces)),
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX api_keys_prefix ON api_keys (prefix);

CREATE TABLE permission_templates (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  tier TEXT NOT NULL CHECK (tier IN ('view', 'edit', 'action', 'admin')),
  scope_namespace TEXT NOT NULL,
  scope_tags TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(scope_tags)),
  allow_kinds TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allow_kinds)),
  allow_actions TEXT NOT NULL DEFAULT '[]' CHECK (json_valid(allow_actions)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL
);

-- Who an access key belongs to (an agent, an app, a person outside the team).
CREATE TABLE consumers (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL UNIQUE,
  description TEXT,
  contact TEXT,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at TEXT NOT NULL
);

-- A template is never deleted under a key (RESTRICT): the service answers 409 instead, so a
-- key can never silently lose its limits. Deleting a consumer removes its keys.
CREATE TABLE access_keys (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  template_id TEXT NOT NULL REFERENCES permission_templates (id) ON DELETE RESTRICT,
  consumer_id TEXT REFERENCES consumers (id) ON DELETE CASCADE,
  prefix TEXT NOT NULL,
  key_hash TEXT NOT NULL UNIQUE,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX access_keys_prefix ON access_keys (prefix);
CREATE INDEX access_keys_template ON access_keys (template_id);
CREATE INDEX access_keys_consumer ON access_keys (consumer_id);

CREATE TABLE oauth_clients (
  id TEXT PRIMARY KEY,
  name TEXT NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  role TEXT NOT NULL CHECK (role IN ('admin', 'write', 'read')),
  namespace TEXT NOT NULL,
  created_at TEXT NOT NULL,
  last_used_at TEXT,
  revoked_at TEXT
);

CREATE TABLE shares (
  id TEXT PRIMARY KEY,
  node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  created_by TEXT NOT NULL,
  created_at TEXT NOT NULL,
  expires_at TEXT,
  revoked_at TEXT
);
CREATE INDEX shares_node ON shares (node_id);
