-- One row per LLM call attempt the AI layer made or refused: who asked, which provider and model
-- answered, tokens, cost, latency and outcome. The budget ledger is rebuilt from today's rows at
-- start, so spend survives restarts. Prompts and completions are never stored here.
CREATE TABLE llm_usage (
  seq INTEGER PRIMARY KEY,
  at TEXT NOT NULL,
  day TEXT NOT NULL,
  provider TEXT NOT NULL,
  model TEXT NOT NULL,
  task TEXT NOT NULL,
  input_tokens INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_usd REAL NOT NULL DEFAULT 0,
  latency_ms REAL NOT NULL DEFAULT 0,
  outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'error', 'rejected', 'aborted')),
  error_code TEXT,
  stream INTEGER NOT NULL DEFAULT 0,
  principal_id TEXT,
  request_id TEXT
);

CREATE INDEX llm_usage_day ON llm_usage (day, provider);
CREATE INDEX llm_usage_at ON llm_usage (at);
