import type { Context } from '../../core/context.js';
import { inTransaction } from '../../storage/database.js';
import { fieldCodec } from '../../storage/sealed-fields.js';
import { sealChanges } from '../versions/store.js';
import { knowledgeStores } from '../stores.js';
import { openRow, sealRow } from './sealing.js';

export type EncryptionTarget = 'plain' | 'sealed';

type StoredVersion = { id: string; changes: string; sealed_key: number | null };

interface StateRow {
  target: EncryptionTarget;
  index_plaintext: number;
  cursor: number;
  started_at: string | null;
  finished_at: string | null;
}

export interface EncryptionStatus {
  /** what `[encryption] enabled` asks for */
  target: EncryptionTarget;
  /** what the full-text index was built with */
  index_plaintext: boolean;
  /** `[encryption] index_plaintext` differs from what the index holds: a migration will rebuild it */
  index_policy_pending: boolean;
  sealed_nodes: number;
  plaintext_nodes: number;
  sealed_versions: number;
  plaintext_versions: number;
  /** rows still in the other form: what `hx encryption migrate` has left to do */
  remaining: number;
  data_keys: number;
  started_at: string | null;
  finished_at: string | null;
  /** plain words for `hx stats`: what search can see */
  search_scope: string;
}

const stateOf = (ctx: Context) =>
  ctx.db
    .prepare(
      'SELECT target, index_plaintext, cursor, started_at, finished_at FROM encryption_state WHERE id = 1',
    )
    .get() as StateRow;

const targetOf = (ctx: Context): EncryptionTarget => (ctx.config.encryption.enabled ? 'sealed' : 'plain');

export function encryptionStatus(ctx: Context): EncryptionStatus {
  const state = stateOf(ctx);
  const target = targetOf(ctx);
  const count = (sql: string) => (ctx.db.prepare(sql).get() as { n: number }).n;
  const sealedNodes = count('SELECT count(*) AS n FROM nodes WHERE sealed_key IS NOT NULL');
  const plainNodes = count('SELECT count(*) AS n FROM nodes WHERE sealed_key IS NULL');
  const sealedVersions = count('SELECT count(*) AS n FROM node_versions WHERE sealed_key IS NOT NULL');
  const plainVersions = count('SELECT count(*) AS n FROM node_versions WHERE sealed_key IS NULL');
  const indexPlaintext = state.index_plaintext === 1;
  return {
    target,
    index_plaintext: indexPlaintext,
    index_policy_pending: indexPlaintext !== ctx.config.encryption.index_plaintext,
    sealed_nodes: sealedNodes,
    plaintext_nodes: plainNodes,
    sealed_versions: sealedVersions,
    plaintext_versions: plainVersions,
    remaining: target === 'sealed' ? plainNodes + plainVersions : sealedNodes + sealedVersions,
    data_keys: count('SELECT count(*) AS n FROM node_data_keys'),
    started_at: state.started_at,
    finished_at: state.finished_at,
    search_scope: searchScope(sealedNodes > 0, indexPlaintext),
  };
}

/** The short form for `hx stats`: on or off, and in plain words what search can see. */
export function encryptionSummary(ctx: Context): {
  enabled: boolean;
  index_plaintext: boolean;
  search_scope: string;
} {
  const anySealed =
    ctx.db.prepare('SELECT 1 FROM nodes WHERE sealed_key IS NOT NULL LIMIT 1').get() !== undefined;
  const indexPlaintext = stateOf(ctx).index_plaintext === 1;
  return {
    enabled: ctx.config.encryption.enabled,
    index_plaintext: indexPlaintext,
    search_scope: searchScope(anySealed, indexPlaintext),
  };
}

const searchScope = (anySealed: boolean, indexPlaintext: boolean) =>
  !anySealed || indexPlaintext
    ? 'full text and vectors cover titles, content and tags'
    : 'encrypted notes are searchable by title and tags only (index_plaintext = false): their content is in no index';

export interface MigrationProgress {
  target: EncryptionTarget;
  done: number;
  total: number;
}

export interface MigrateOptions {
  batchSize?: number;
  onProgress?: (p: MigrationProgress) => void;
  /** called after each converted row, inside the batch's transaction (crash tests kill the process here) */
  onRow?: () => void;
  /** stop between batches (the server's shutdown) */
  shouldStop?: () => boolean;
  /** awaited between batches: a server yields to requests here */
  pause?: () => Promise<void>;
}

/**
 * Brings every stored row to what `[encryption]` asks for: seals plaintext rows (enabled) or opens
 * sealed ones (disabled), and rebuilds the full-text index when `index_plaintext` changed. Each
 * batch is one transaction that also moves the row's full-text entry, so a crash (kill -9) leaves
 * every row whole, in one form or the other, and a second run picks up where the first stopped.
 * Needs the unsealed vault whenever a sealed row is read or written.
 */
export async function migrateEncryption(
  ctx: Context,
  options: MigrateOptions = {},
): Promise<MigrationProgress & { index_rebuilt: boolean; stopped: boolean }> {
  const target = targetOf(ctx);
  const batch = options.batchSize ?? 500;
  const now = () => ctx.clock.now().toISOString();
  const codec = fieldCodec(ctx.db);
  const { nodes } = knowledgeStores(ctx.db);
  ctx.db
    .prepare(
      `UPDATE encryption_state SET started_at = CASE WHEN target = ? AND finished_at IS NULL THEN coalesce(started_at, ?) ELSE ? END,
         target = ?, finished_at = NULL WHERE id = 1`,
    )
    .run(target, now(), now(), target);
  const indexRebuilt = applyIndexPolicy(ctx);
  const wrong = target === 'sealed' ? 'sealed_key IS NULL' : 'sealed_key IS NOT NULL';
  const total = (ctx.db.prepare(`SELECT count(*) AS n FROM nodes WHERE ${wrong}`).get() as { n: number }).n;
  const page = ctx.db.prepare(`SELECT * FROM nodes WHERE seq > ? AND ${wrong} ORDER BY seq LIMIT ?`);
  const setRow = ctx.db.prepare(
    'UPDATE nodes SET title = @title, content = @content, metadata = @metadata, sealed_key = @sealed_key WHERE seq = @seq',
  );
  const versionsOf = ctx.db.prepare(
    `SELECT id, changes, sealed_key FROM node_versions WHERE node_id = ? AND ${wrong}`,
  );
  const setVersion = ctx.db.prepare('UPDATE node_versions SET changes = ?, sealed_key = ? WHERE id = ?');
  const setCursor = ctx.db.prepare('UPDATE encryption_state SET cursor = ? WHERE id = 1');
  const convertVersion = (v: StoredVersion) => {
    const text =
      v.sealed_key === null
        ? v.changes
        : codec.open(v.id, v.sealed_key, 'changes', JSON.parse(v.changes) as string);
    const [changes, key] = target === 'sealed' ? sealChanges(codec, v.id, text) : [text, null];
    setVersion.run(changes, key, v.id);
  };
  let done = 0;
  let stopped = false;
  // the scan starts at the first row every time: rows already in the target form are skipped by
  // the WHERE, so a resumed run needs no bookkeeping (the stored cursor is for `status` only)
  for (let cursor = 0; ; ) {
    if (options.shouldStop?.()) {
      stopped = true;
      break;
    }
    // read inside the write transaction: a row edited since an earlier read must not be written back stale
    const rows = inTransaction(ctx.db, () => {
      const found = page.all(cursor, batch) as Parameters<typeof nodes.hydrate>[0];
      for (const stored of found) {
        const plain = openRow(codec, stored);
        nodes.ftsRemove(stored.seq);
        setRow.run(target === 'sealed' ? sealRow(codec, plain) : { ...plain, sealed_key: null });
        nodes.ftsAdd(stored.seq);
        // the vector index may see less (or more) of a sealed row than of a plaintext one
        if (!codec.indexPlaintext) nodes.needsEmbedding(stored.id, 'upsert', now());
        for (const v of versionsOf.all(stored.id) as StoredVersion[]) convertVersion(v);
        options.onRow?.();
      }
      if (found.length) setCursor.run(found[found.length - 1]!.seq);
      return found;
    });
    if (rows.length === 0) break;
    cursor = rows[rows.length - 1]!.seq;
    done += rows.length;
    options.onProgress?.({ target, done, total });
    await options.pause?.();
  }
  // versions left in the other form under a node that is not (a process with the other setting
  // edited the node in between)
  const strays = ctx.db.prepare(`SELECT id, changes, sealed_key FROM node_versions WHERE ${wrong} LIMIT ?`);
  while (!stopped) {
    const converted = inTransaction(ctx.db, () => {
      const versions = strays.all(batch) as StoredVersion[];
      for (const v of versions) convertVersion(v);
      return versions.length;
    });
    if (converted === 0) break;
  }
  if (!stopped)
    ctx.db.prepare('UPDATE encryption_state SET cursor = 0, finished_at = ? WHERE id = 1').run(now());
  return { target, done, total, index_rebuilt: indexRebuilt, stopped };
}

/**
 * Rebuilds the full-text index when `[encryption] index_plaintext` no longer matches what it was
 * built with (only sealed rows index differently), and queues their vectors for recomputation.
 */
function applyIndexPolicy(ctx: Context): boolean {
  const want = ctx.config.encryption.index_plaintext;
  const state = stateOf(ctx);
  if ((state.index_plaintext === 1) === want) return false;
  const codec = fieldCodec(ctx.db);
  const anySealed =
    ctx.db.prepare('SELECT 1 FROM nodes WHERE sealed_key IS NOT NULL LIMIT 1').get() !== undefined;
  try {
    inTransaction(ctx.db, () => {
      ctx.db.prepare('UPDATE encryption_state SET index_plaintext = ? WHERE id = 1').run(want ? 1 : 0);
      codec.reload?.();
      if (!anySealed) return;
      codec.prime?.();
      ctx.db.prepare(`INSERT INTO nodes_fts (nodes_fts) VALUES ('rebuild')`).run();
      ctx.db
        .prepare(
          `INSERT INTO embedding_queue (node_id, operation, enqueued_at) SELECT id, 'upsert', ? FROM nodes WHERE sealed_key IS NOT NULL
           ON CONFLICT (node_id) DO UPDATE SET operation = excluded.operation, enqueued_at = excluded.enqueued_at,
             attempts = 0, last_error = NULL, not_before = NULL`,
        )
        .run(ctx.clock.now().toISOString());
    });
  } finally {
    codec.reload?.();
  }
  return anySealed;
}
