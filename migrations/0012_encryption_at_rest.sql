-- Encryption at rest (decision 0009). A row's `sealed_key` names the node data key its title,
-- content and metadata are sealed under; NULL means the row is plaintext. The column, not a prefix
-- in the text, says which rows are sealed: a note may begin with anything.
ALTER TABLE nodes ADD COLUMN sealed_key INTEGER REFERENCES node_data_keys (id);
ALTER TABLE node_versions ADD COLUMN sealed_key INTEGER REFERENCES node_data_keys (id);

-- One random data key (DEK) for node fields, wrapped under the vault's active epoch. Rotating the
-- vault re-wraps these 60-byte rows and never re-encrypts the notes.
CREATE TABLE node_data_keys (
  id INTEGER PRIMARY KEY,
  epoch INTEGER NOT NULL,
  wrapped_dek BLOB NOT NULL,
  created_at TEXT NOT NULL
);

-- Where the migration between plaintext and sealed rows stands. Each batch is one transaction, so a
-- crash loses at most the batch in flight; `cursor` only lets a resumed run skip rows already done.
CREATE TABLE encryption_state (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  target TEXT NOT NULL CHECK (target IN ('plain', 'sealed')),
  index_plaintext INTEGER NOT NULL DEFAULT 1,
  cursor INTEGER NOT NULL DEFAULT 0,
  started_at TEXT,
  finished_at TEXT
);
INSERT INTO encryption_state (id, target, index_plaintext) VALUES (1, 'plain', 1);

-- The full-text index reads node text through SQL functions that Helix registers on every
-- connection: hx_title opens a sealed title, hx_indexed_content opens sealed content only when
-- `[encryption] index_plaintext` allows it (otherwise the index holds titles and tags only).
DROP VIEW nodes_fts_source;
CREATE VIEW nodes_fts_source AS
SELECT n.seq AS seq,
  hx_title(n.id, n.sealed_key, n.title, n.content) AS title,
  hx_indexed_content(n.id, n.sealed_key, n.content) AS content,
  (SELECT group_concat(t.tag, ' ' ORDER BY t.tag) FROM node_tags t WHERE t.node_id = n.id) AS tags
FROM nodes n;
