-- Lookups for automatic backlinks: a [[Title]] resolves by title (case-insensitive), an @slug by
-- the title's slug, a URL by a node's source, always within the linking node's namespace.
CREATE INDEX nodes_ns_title ON nodes (namespace, title COLLATE NOCASE);
CREATE INDEX nodes_ns_slug ON nodes (namespace, lower(replace(trim(title), ' ', '-')));
CREATE INDEX nodes_ns_source ON nodes (namespace, source);

-- Links whose target does not exist yet; they become edges when it appears.
CREATE TABLE pending_links (
  from_node TEXT NOT NULL REFERENCES nodes (id) ON DELETE CASCADE,
  target_key TEXT NOT NULL,
  namespace TEXT NOT NULL,
  via TEXT NOT NULL,
  text TEXT NOT NULL,
  PRIMARY KEY (from_node, target_key)
) WITHOUT ROWID;
CREATE INDEX pending_links_target ON pending_links (namespace, target_key);
