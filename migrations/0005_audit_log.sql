-- Append-only audit trail: every authenticated write, every auth failure and every denial.
-- Rows carry who, what, target, namespace and outcome only; request bodies, header values,
-- tokens and query strings are never stored (the pipeline never hands them over).
-- seq gives a total order for keyset paging even when two rows share a timestamp.
CREATE TABLE audit_log (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  at TEXT NOT NULL,
  actor TEXT NOT NULL,
  actor_via TEXT NOT NULL,
  role TEXT,
  action TEXT NOT NULL,
  target TEXT,
  namespace TEXT,
  outcome TEXT NOT NULL CHECK (outcome IN ('success', 'denied', 'failure', 'error')),
  status INTEGER NOT NULL,
  request_id TEXT NOT NULL,
  ip TEXT
);

CREATE INDEX audit_log_actor ON audit_log (actor, seq);
CREATE INDEX audit_log_action ON audit_log (action, seq);
CREATE INDEX audit_log_target ON audit_log (target, seq);
CREATE INDEX audit_log_namespace ON audit_log (namespace, seq);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only: the database itself refuses edits, so a bug or a compromised route cannot rewrite
-- history. Retention, when it comes, will be a new migration that drops and recreates the DELETE
-- trigger around one guarded purge statement (rows older than a configured age), run by
-- `hx db` maintenance only, and that purge will itself leave an audit row.
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;

CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
BEGIN
  SELECT RAISE(ABORT, 'audit_log is append-only');
END;
