-- Nodes past their expires_at are left out of listings, search and recall until the lifecycle job
-- removes them. Few nodes ever expire, so a partial index keeps "which ones have" a tiny lookup
-- that every search can afford.
CREATE INDEX nodes_expired ON nodes (expires_at) WHERE expires_at IS NOT NULL;
