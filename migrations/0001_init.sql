-- Knowledge nodes. `seq` is the stable integer key the full-text index points at (a plain rowid
-- may be renumbered by VACUUM); `id` is the public UUID.
CREATE TABLE nodes (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  kind TEXT NOT NULL,
  title TEXT,
  content TEXT NOT NULL,
  source TEXT,
  namespace TEXT NOT NULL DEFAULT 'default',
  importance REAL NOT NULL DEFAULT 0.5 CHECK (importance >= 0 AND importance <= 1),
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at TEXT NOT NULL,
  updated_at TEXT NOT NULL,
  last_accessed_at TEXT,
  access_count INTEGER NOT NULL DEFAULT 0,
  version INTEGER NOT NULL DEFAULT 1,
  expires_at TEXT
);
CREATE INDEX nodes_created ON nodes (created_at DESC, id DESC);
CREATE INDEX nodes_ns_created ON nodes (namespace, created_at DESC, id DESC);
CREATE INDEX nodes_kind_created ON nodes (kind, created_at DESC, id DESC);

CREATE TABLE node_tags (
  node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  tag TEXT NOT NULL COLLATE NOCASE,
  PRIMARY KEY (node_id, tag)
) WITHOUT ROWID;
CREATE INDEX node_tags_tag ON node_tags (tag, node_id);

-- Deleted nodes leave a tombstone so sync can propagate the deletion.
CREATE TABLE node_tombstones (
  id TEXT PRIMARY KEY,
  namespace TEXT NOT NULL,
  kind TEXT NOT NULL,
  version INTEGER NOT NULL,
  deleted_at TEXT NOT NULL
) WITHOUT ROWID;

-- One row per change: `changes` holds {field: {before, after}} for the fields that changed.
CREATE TABLE node_versions (
  id TEXT PRIMARY KEY,
  node_id TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  version INTEGER NOT NULL,
  operation TEXT NOT NULL CHECK (operation IN ('create', 'update', 'restore', 'import')),
  changes TEXT NOT NULL CHECK (json_valid(changes)),
  created_at TEXT NOT NULL,
  UNIQUE (node_id, version)
);

CREATE TABLE relationships (
  id TEXT PRIMARY KEY,
  from_node TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  to_node TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  kind TEXT NOT NULL,
  weight REAL NOT NULL DEFAULT 1.0,
  metadata TEXT NOT NULL DEFAULT '{}' CHECK (json_valid(metadata)),
  created_at TEXT NOT NULL,
  UNIQUE (from_node, to_node, kind)
);
CREATE INDEX relationships_to ON relationships (to_node, kind);

-- The change feed: every committed write, in order (sync and watchers read it).
CREATE TABLE changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  entity TEXT NOT NULL,
  entity_id TEXT NOT NULL,
  operation TEXT NOT NULL,
  namespace TEXT NOT NULL,
  version INTEGER,
  changed_at TEXT NOT NULL
);

-- Full text over title, content and tags; the index stores no copy of the text (external
-- content), and reads it back through this view for snippets and integrity checks.
CREATE VIEW nodes_fts_source AS
SELECT n.seq AS seq, n.title AS title, n.content AS content,
  (SELECT group_concat(t.tag, ' ' ORDER BY t.tag) FROM node_tags t WHERE t.node_id = n.id) AS tags
FROM nodes n;

CREATE VIRTUAL TABLE nodes_fts USING fts5 (
  title, content, tags,
  content = 'nodes_fts_source',
  content_rowid = 'seq',
  tokenize = 'porter unicode61 remove_diacritics 2'
);
