import { z } from 'zod';

/**
 * The one configuration schema. Every key carries its default and a one-line description:
 * `config/helix.toml` is generated from it (`npm run config:gen`) and a test keeps the two equal,
 * so the shipped file, the environment names and validation can never drift apart.
 */
const str = (def: string, doc: string) => z.string().default(def).describe(doc);
const bool = (def: boolean, doc: string) => z.boolean().default(def).describe(doc);
const int = (def: number, doc: string, min = 0, max = Number.MAX_SAFE_INTEGER) =>
  z.number().int().min(min).max(max).default(def).describe(doc);
const num = (def: number, doc: string, min = 0, max = Number.MAX_VALUE) =>
  z.number().min(min).max(max).default(def).describe(doc);
const port = (def: number, doc: string) => int(def, doc, 0, 65535);
const strList = (def: string[], doc: string) => z.array(z.string()).default(def).describe(doc);
const oneOf = <const T extends readonly [string, ...string[]]>(values: T, def: T[number], doc: string) =>
  z
    .enum(values)
    .default(def as never)
    .describe(doc);

const section = <T extends z.ZodRawShape>(shape: T) =>
  z
    .object(shape)
    .strict()
    .prefault({} as never);

export const configSchema = z
  .object({
    server: section({
      bind_host: str('127.0.0.1', 'address the core server listens on (0.0.0.0 exposes it to the network)'),
      rest_port: port(9470, 'REST + WebSocket port of the core server'),
      grpc_port: port(50051, 'gRPC port of the core server'),
      socket_path: str('', 'optional Unix socket path for local clients (empty: none)'),
      cors_allowed_origins: strList([], 'origins allowed by CORS (empty: same-origin only)'),
      body_limit_bytes: int(8 * 1024 * 1024, 'largest request body accepted, in bytes', 1024),
      shutdown_timeout_secs: int(10, 'how long graceful shutdown waits for in-flight requests', 0),
      events_poll_interval_ms: int(
        200,
        'how often the change feed is read for events (catches writes by other processes)',
        10,
      ),
      ws_ping_interval_secs: int(
        30,
        'seconds between WebSocket pings; a client that misses one is dropped',
        1,
      ),
      ws_max_buffered_bytes: int(
        1024 * 1024,
        'bytes queued for one WebSocket client before it is dropped as too slow',
        1024,
      ),
      ws_max_messages_per_minute: int(120, 'messages one WebSocket client may send per minute', 1),
    }),
    storage: section({
      data_dir: str('data', 'data folder; relative paths resolve against HELIX_HOME'),
      sqlite_path: str('helix.db', 'SQLite database file; relative paths resolve against data_dir'),
      lancedb_path: str('lancedb', 'LanceDB vector folder; relative paths resolve against data_dir'),
      blobs_path: str('blobs', 'attachment blobs folder; relative paths resolve against data_dir'),
      busy_timeout_ms: int(5000, 'how long a writer waits for a lock held by another process', 0),
      synchronous: oneOf(
        ['normal', 'full'],
        'normal',
        'SQLite fsync policy: normal survives process crashes, full also power loss',
      ),
    }),
    knowledge: section({
      max_content_bytes: int(1024 * 1024, 'largest node content accepted, in bytes', 1),
      version_retention: int(50, 'versions kept per node (older ones are pruned)', 1),
      default_namespace: str('default', 'namespace used when a write names none'),
      namespace_node_quota: int(
        0,
        'most nodes one namespace may hold; a create past it answers 403 (0 = unlimited; HELIX_NAMESPACE_NODE_QUOTA)',
        0,
      ),
    }),
    profile: section({
      display_name: str('', 'your name, used in signatures and briefings'),
      primary_email: str('', 'your primary email address'),
      timezone: str('UTC', 'IANA time zone for daily notes, schedules and calendars'),
      signature: str('', 'signature appended to outgoing messages'),
    }),
    email: section({
      enabled: bool(false, 'poll an IMAP mailbox and send through SMTP'),
      namespace: str('email', 'namespace that imported mail lands in'),
      poll_interval_secs: int(120, 'seconds between mailbox polls', 10),
      max_fetch: int(20, 'messages fetched per poll', 1),
      max_attachment_bytes: int(5 * 1024 * 1024, 'largest attachment kept, in bytes', 0),
      imap_host: str('', 'IMAP server host'),
      imap_port: port(993, 'IMAP server port'),
      imap_username: str('', 'IMAP user name'),
      imap_password: str('', 'IMAP password (prefer the vault: secret email.imap_password)'),
      imap_tls: bool(true, 'use TLS for IMAP'),
      smtp_host: str('', 'SMTP server host'),
      smtp_port: port(587, 'SMTP server port'),
      smtp_username: str('', 'SMTP user name'),
      smtp_password: str('', 'SMTP password (prefer the vault: secret email.smtp_password)'),
      smtp_tls: bool(true, 'use STARTTLS/TLS for SMTP'),
    }),
    google_calendar: section({
      enabled: bool(false, 'sync a Google calendar'),
      calendar_id: str('primary', 'calendar to sync'),
      sync_interval_secs: int(900, 'seconds between syncs', 60),
      lookback_days: int(30, 'days of past events to sync', 0),
      lookahead_days: int(90, 'days of future events to sync', 0),
    }),
    embedding: section({
      provider: oneOf(
        ['local_fastembed', 'glove', 'openai', 'hash'],
        'local_fastembed',
        'embedding provider: local_fastembed (ONNX), glove, openai (or compatible), hash',
      ),
      model: str('bge-small-en-v1.5', 'embedding model name'),
      dimensions: int(384, 'embedding dimensions of the model', 1),
      base_url: str('', 'base URL for an OpenAI-compatible embedding endpoint (empty: provider default)'),
      batch_size: int(64, 'texts embedded per batch', 1),
      api_key: str('', 'API key for the openai embedding provider (prefer HELIX_EMBEDDING_API_KEY)'),
      timeout_secs: int(30, 'embedding request timeout in seconds (openai)', 1),
      pooling: oneOf(
        ['auto', 'cls', 'mean'],
        'auto',
        'local_fastembed pooling: auto reads the model pooling config, else CLS for bge, mean otherwise',
      ),
      keep_previous_spaces: bool(
        false,
        "keep an old model's vectors after a switch completes (switching back is then quick)",
      ),
    }),
    llm: section({
      enabled: bool(false, 'use an OpenAI-compatible LLM for assist features'),
      auto_detect: bool(true, 'detect a local Ollama at start'),
      base_url: str('http://localhost:11434/v1', 'OpenAI-compatible base URL'),
      model: str('llama3.2', 'model name'),
      api_key: str('', 'API key (prefer HELIX_LLM_API_KEY or the vault)'),
      max_tokens: int(512, 'largest completion, in tokens', 1),
      temperature: num(0.3, 'sampling temperature', 0, 2),
      timeout_secs: int(30, 'request timeout in seconds', 1),
    }),
    watcher: section({
      enabled: bool(true, 'run the background watcher that proposes insights'),
      interval_secs: int(300, 'seconds between watcher cycles', 10),
      lookback_hours: int(24, 'hours of changes each cycle looks at', 1),
      max_nodes_per_cycle: int(50, 'nodes examined per cycle', 1),
      expiry_days: int(7, 'days before an unanswered insight expires', 1),
    }),
    search: section({
      default_strategy: oneOf(
        ['vector', 'fulltext', 'hybrid', 'graph'],
        'hybrid',
        'recall strategy when a request names none',
      ),
      default_limit: int(10, 'results returned when a request names no limit', 1, 1000),
      max_limit: int(200, 'largest limit a request may ask for', 1, 10000),
      min_score: num(0.1, 'results scoring below this are dropped (recall)', 0),
      vector_weight: num(0.6, 'weight of vector similarity in hybrid fusion', 0, 1),
      fulltext_weight: num(0.4, 'weight of full-text (BM25) in hybrid fusion', 0, 1),
      fusion: oneOf(
        ['weighted', 'rrf'],
        'weighted',
        'hybrid fusion: weighted scores, or reciprocal rank fusion',
      ),
      fusion_weights: oneOf(
        ['auto', 'config'],
        'auto',
        'auto: weights measured per embedder (docs/benchmarks.md); config: vector_weight and fulltext_weight',
      ),
      rrf_k: int(60, 'k of reciprocal rank fusion', 1),
      fulltext_candidates: oneOf(
        ['conjunctive_first', 'exact'],
        'conjunctive_first',
        'search and recall: notes holding every query word first, then the rest, each by BM25; exact: BM25 order (decisions 0008, 0010)',
      ),
      title_weight: num(10, 'BM25 weight of the title column', 0),
      content_weight: num(1, 'BM25 weight of the content column', 0),
      tags_weight: num(5, 'BM25 weight of the tags column', 0),
      query_rewrite: oneOf(
        ['none', 'expand', 'decompose', 'hyde', 'auto'],
        'auto',
        "query rewriting: auto expands natural-language queries from the vault's best matches (RM3) while the vault is small enough (auto_expand_max_nodes), never asking a model; expand always does, asking the [llm] model when enabled (decision 0012)",
      ),
      auto_expand_max_nodes: int(
        5000,
        'with query_rewrite = "auto": the largest vault (nodes) whose recall queries are expanded; the expansion costs about 2 ms per 1,000 nodes',
        0,
      ),
    }),
    graph: section({
      default_traversal_depth: int(2, 'hops followed when expanding along relationships', 1, 10),
      max_traversal_depth: int(5, 'largest depth a request may ask for', 1, 10),
      graph_boost_factor: num(0.15, 'score boost for nodes linked to strong hits', 0, 1),
    }),
    ai: section({
      auto_tagging_enabled: bool(false, 'suggest tags on write'),
      auto_tagging_max_generated_tags: int(6, 'most tags generated for one node', 0),
      auto_tagging_max_total_tags: int(12, 'most tags a node may end up with after auto-tagging', 0),
      auto_tagging_similarity_seed_limit: int(8, 'similar nodes whose tags are considered', 0),
      auto_tagging_min_token_length: int(4, 'shortest keyword considered for a tag', 1),
    }),
    linking: section({
      auto_backlinks_enabled: bool(true, 'turn [[links]] and @mentions into relationships on write'),
      auto_backlinks_scan_limit: int(5000, 'nodes scanned when resolving link targets', 1),
      auto_backlinks_max_targets: int(64, 'most links resolved per node', 1),
    }),
    daily_notes: section({
      enabled: bool(true, 'keep one daily note per day'),
      midnight_scheduler_enabled: bool(true, 'create the daily note at local midnight'),
      namespace: str('journal', 'namespace of daily notes'),
      title_template: str('Daily Note {{date}}', 'title of a daily note ({{date}} is YYYY-MM-DD)'),
      content_template: str('', 'initial content of a daily note'),
      default_importance: num(0.6, 'importance of a new daily note', 0, 1),
    }),
    recurrence: section({
      enabled: bool(true, 'expand recurring tasks and events'),
      scheduler_interval_secs: int(300, 'seconds between recurrence expansions', 10),
      max_instances_per_template: int(8, 'future instances kept per recurring template', 1),
    }),
    encryption: section({
      enabled: bool(false, 'store node content, titles and metadata encrypted (needs the vault)'),
      index_plaintext: bool(true, 'keep full-text and vector indexes of encrypted content in plaintext'),
    }),
    vault: section({
      argon2_memory_kib: int(19456, 'Argon2id memory per derivation, in KiB (OWASP minimum 19456)', 19456),
      argon2_iterations: int(2, 'Argon2id passes (OWASP minimum 2)', 2),
      argon2_parallelism: int(1, 'Argon2id lanes', 1, 255),
      grace_period_days: int(30, 'days a rotated-out key epoch stays readable before it is retired', 0),
      expiring_days: int(14, 'a credential this close to its expiry is reported as expiring', 0),
      unseal_free_attempts: int(3, 'failed unseal attempts allowed before back-off starts', 1),
      unseal_backoff_max_secs: int(300, 'longest wait between failed unseal attempts, in seconds', 1),
      secrets_backends: strList(['keyring', 'vault', 'env'], 'secret backends in order of preference'),
    }),
    lifecycle: section({
      importance_decay_rate: num(0.01, 'importance lost per day without access', 0, 1),
      min_importance: num(0.05, 'importance never decays below this', 0, 1),
      consolidation_interval_hours: int(24, 'hours between consolidation passes', 1),
    }),
    auth: section({
      enabled: bool(false, 'require authentication on every route (HELIX_ENV=production demands it)'),
      token: str('', 'shared bearer token (prefer HELIX_AUTH_TOKEN)'),
      role: oneOf(['admin', 'write', 'read'], 'admin', 'role of the shared token'),
      namespace: str('*', 'namespace of the shared token (* = all)'),
      jwt_secret: str('', 'HS256 secret for JWTs (prefer HELIX_JWT_SECRET)'),
      oauth_token_ttl_secs: int(
        3600,
        'lifetime of an OAuth2 client-credentials access token, in seconds',
        60,
        86400,
      ),
    }),
    rate_limit: section({
      enabled: bool(
        true,
        'limit requests per identity (only when auth is enabled: local development is unlimited)',
      ),
      requests: int(120, 'requests allowed per identity per window', 1),
      window_secs: int(60, 'length of the rate-limit window, in seconds', 1),
      redis_url: str(
        '',
        'count requests in Redis (shared by every process) instead of memory, e.g. redis://127.0.0.1:6379 (HELIX_REDIS_URL)',
      ),
    }),
    worker: section({
      host: str('127.0.0.1', 'address the AI layer listens on'),
      port: port(8200, 'AI layer REST port'),
      core_url: str('http://127.0.0.1:9470', 'URL the AI layer uses to reach the core'),
      default_provider: str('auto', 'LLM router default provider (auto picks by task)'),
      budget_limit: num(100, 'daily LLM budget in USD', 0),
      enabled: bool(true, 'start the AI layer beside the core with `hx server start` (--no-worker skips it)'),
      budget_action: oneOf(
        ['downgrade', 'reject'],
        'downgrade',
        'over budget: downgrade to the cheapest model meeting the quality floor, or reject with 402',
      ),
      provider_caps: strList([], 'daily per-provider caps in USD, as provider=usd (e.g. openai=20)'),
      prices: strList([], 'price overrides in USD per million tokens, as provider/model=input:output'),
      base_urls: strList([], 'provider base URL overrides, as provider=url (proxies, self-hosted, tests)'),
      models: strList([], 'extra models to route to, as provider/model'),
      custom_providers: strList(
        [],
        'custom OpenAI-compatible endpoints, as name=url (key from <NAME>_API_KEY in the environment)',
      ),
      max_tokens: int(1024, 'completion tokens reserved when a request names no max_tokens', 1),
      request_timeout_secs: int(60, 'one provider attempt times out after this many seconds', 1),
      breaker_threshold: int(5, 'consecutive provider failures that open its circuit breaker', 1),
      breaker_cooldown_secs: int(30, 'seconds an open provider breaker waits before a trial call', 1),
      core_timeout_ms: int(3000, 'timeout of one AI layer call to the core, in milliseconds', 100),
      models_cache_secs: int(60, 'seconds GET /api/models caches provider reachability', 0),
      keys_refresh_secs: int(
        30,
        'seconds between checks of the core for provider keys kept with hx secret (hx worker start alone; 0: at start only)',
        0,
      ),
    }),
    mcp: section({
      max_answer_tokens: int(
        2000,
        'token budget of one MCP tool answer (longer results are paged)',
        200,
        100000,
      ),
      connector_timeout_ms: int(
        10000,
        'how long connecting to an MCP connector or calling its tool may take',
        100,
      ),
      connector_breaker_reset_secs: int(
        30,
        'how long a failing MCP connector stays isolated before one trial call',
        1,
      ),
      servers: strList(
        [],
        'MCP servers Helix connects to: "name=command arg…" (stdio) or "name=https://…" (HTTP)',
      ),
    }),
    logging: section({
      level: oneOf(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'], 'info', 'log level'),
      format: oneOf(
        ['pretty', 'json'],
        'pretty',
        'console format of warnings and errors (the log file is always JSON)',
      ),
      log_dir: str('logs', 'log folder; relative paths resolve against HELIX_HOME'),
    }),
  })
  .strict();

export type HelixConfig = z.output<typeof configSchema>;
export type ConfigInput = z.input<typeof configSchema>;
