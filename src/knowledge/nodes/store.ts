import type { Database, Statement } from 'better-sqlite3';
import { fieldCodec } from '../../storage/sealed-fields.js';
import type { KnowledgeNode, NodeKind } from './schema.js';
import { openRow, sealRow } from './sealing.js';

export interface NodeRow {
  seq: number;
  id: string;
  kind: NodeKind;
  title: string | null;
  content: string;
  source: string | null;
  namespace: string;
  importance: number;
  metadata: string;
  created_at: string;
  updated_at: string;
  last_accessed_at: string | null;
  access_count: number;
  version: number;
  expires_at: string | null;
  /** the node data key title, content and metadata are sealed under; null or absent: plaintext */
  sealed_key?: number | null;
}

const COLUMNS =
  'seq, id, kind, title, content, source, namespace, importance, metadata, created_at, updated_at, last_accessed_at, access_count, version, expires_at, sealed_key';

export const rowToNode = (row: NodeRow, tags: string[]): KnowledgeNode => ({
  id: row.id,
  kind: row.kind,
  title: row.title,
  content: row.content,
  source: row.source,
  namespace: row.namespace,
  tags,
  importance: row.importance,
  metadata: JSON.parse(row.metadata) as Record<string, unknown>,
  created_at: row.created_at,
  updated_at: row.updated_at,
  last_accessed_at: row.last_accessed_at,
  access_count: row.access_count,
  version: row.version,
  expires_at: row.expires_at,
});

/**
 * SQL for nodes, their tags and their full-text rows. Statements are prepared once per database.
 * The FTS index holds no copy of the text: to remove a row from it, FTS5 must be handed the exact
 * values it indexed, which `ftsRemove` reads back through the same view the index was built from.
 */
export class NodeStore {
  readonly #byId: Statement<[string], NodeRow>;
  readonly #insert: Statement;
  readonly #update: Statement;
  readonly #delete: Statement<[string]>;
  readonly #tags: Statement<[string], { tag: string }>;
  readonly #addTag: Statement<[string, string]>;
  readonly #clearTags: Statement<[string]>;
  readonly #ftsSource: Statement<[number], { title: string | null; content: string; tags: string | null }>;
  readonly #ftsInsert: Statement;
  readonly #ftsDelete: Statement;
  readonly #tombstone: Statement;
  readonly #untombstone: Statement<[string]>;
  readonly #change: Statement;
  readonly #needsEmbedding: Statement<[string, string, string]>;

  constructor(readonly db: Database) {
    this.#byId = db.prepare(`SELECT ${COLUMNS} FROM nodes WHERE id = ?`);
    this.#insert = db.prepare(
      `INSERT INTO nodes (id, kind, title, content, source, namespace, importance, metadata, created_at, updated_at, last_accessed_at, access_count, version, expires_at, sealed_key)
       VALUES (@id, @kind, @title, @content, @source, @namespace, @importance, @metadata, @created_at, @updated_at, @last_accessed_at, @access_count, @version, @expires_at, @sealed_key)`,
    );
    this.#update = db.prepare(
      `UPDATE nodes SET kind = @kind, title = @title, content = @content, source = @source, namespace = @namespace,
         importance = @importance, metadata = @metadata, updated_at = @updated_at, version = @version, expires_at = @expires_at,
         sealed_key = @sealed_key
       WHERE id = @id`,
    );
    this.#delete = db.prepare('DELETE FROM nodes WHERE id = ?');
    this.#tags = db.prepare('SELECT tag FROM node_tags WHERE node_id = ? ORDER BY tag');
    this.#addTag = db.prepare('INSERT OR IGNORE INTO node_tags (node_id, tag) VALUES (?, ?)');
    this.#clearTags = db.prepare('DELETE FROM node_tags WHERE node_id = ?');
    this.#ftsSource = db.prepare('SELECT title, content, tags FROM nodes_fts_source WHERE seq = ?');
    this.#ftsInsert = db.prepare('INSERT INTO nodes_fts (rowid, title, content, tags) VALUES (?, ?, ?, ?)');
    this.#ftsDelete = db.prepare(
      `INSERT INTO nodes_fts (nodes_fts, rowid, title, content, tags) VALUES ('delete', ?, ?, ?, ?)`,
    );
    this.#tombstone = db.prepare(
      'INSERT OR REPLACE INTO node_tombstones (id, namespace, kind, version, deleted_at) VALUES (?, ?, ?, ?, ?)',
    );
    this.#untombstone = db.prepare('DELETE FROM node_tombstones WHERE id = ?');
    this.#needsEmbedding = db.prepare(
      `INSERT INTO embedding_queue (node_id, operation, enqueued_at) VALUES (?, ?, ?)
       ON CONFLICT (node_id) DO UPDATE SET operation = excluded.operation, enqueued_at = excluded.enqueued_at,
         attempts = 0, last_error = NULL, not_before = NULL`,
    );
    this.#change = db.prepare(
      'INSERT INTO changes (entity, entity_id, operation, namespace, version, changed_at) VALUES (?, ?, ?, ?, ?, ?)',
    );
  }

  /** A node row in plaintext (sealed rows are opened). */
  get(id: string): NodeRow | undefined {
    const row = this.#byId.get(id);
    return row ? openRow(fieldCodec(this.db), row) : undefined;
  }

  tagsOf(id: string): string[] {
    return this.#tags.all(id).map((r) => r.tag);
  }

  /** Tags of many nodes in one query. */
  tagsOfMany(ids: string[]): Map<string, string[]> {
    const out = new Map<string, string[]>(ids.map((id) => [id, []]));
    if (ids.length === 0) return out;
    const rows = this.db
      .prepare(
        `SELECT node_id, tag FROM node_tags WHERE node_id IN (SELECT value FROM json_each(?)) ORDER BY tag`,
      )
      .all(JSON.stringify(ids)) as { node_id: string; tag: string }[];
    for (const r of rows) out.get(r.node_id)?.push(r.tag);
    return out;
  }

  /** Nodes from stored rows (as read by any `SELECT *`): sealed rows are opened here. */
  hydrate(rows: NodeRow[]): KnowledgeNode[] {
    const tags = this.tagsOfMany(rows.map((r) => r.id));
    const codec = fieldCodec(this.db);
    return rows.map((r) => rowToNode(openRow(codec, r), tags.get(r.id) ?? []));
  }

  /** Stores a plaintext row: sealed first when `[encryption] enabled`. */
  insert(row: Omit<NodeRow, 'seq'>, tags: string[]): number {
    const seq = Number(this.#insert.run(sealRow(fieldCodec(this.db), row)).lastInsertRowid);
    for (const t of tags) this.#addTag.run(row.id, t);
    this.#untombstone.run(row.id);
    this.ftsAdd(seq);
    return seq;
  }

  /** Rewrites a node; the caller has already removed its old full-text row with `ftsRemove`. */
  update(row: NodeRow, tags: string[] | undefined): void {
    this.#update.run(sealRow(fieldCodec(this.db), row));
    if (tags) {
      this.#clearTags.run(row.id);
      for (const t of tags) this.#addTag.run(row.id, t);
    }
  }

  remove(row: NodeRow, at: string): void {
    this.ftsRemove(row.seq);
    this.#delete.run(row.id);
    this.#tombstone.run(row.id, row.namespace, row.kind, row.version, at);
  }

  ftsAdd(seq: number): void {
    fieldCodec(this.db).prime?.();
    const src = this.#ftsSource.get(seq);
    if (src) this.#ftsInsert.run(seq, src.title, src.content, src.tags);
  }

  ftsRemove(seq: number): void {
    fieldCodec(this.db).prime?.();
    const src = this.#ftsSource.get(seq);
    if (src) this.#ftsDelete.run(seq, src.title, src.content, src.tags);
  }

  /** Records, in the caller's transaction, that the node's vector must be recomputed or removed. */
  needsEmbedding(id: string, operation: 'upsert' | 'delete', at: string): void {
    this.#needsEmbedding.run(id, operation, at);
  }

  recordChange(
    entity: string,
    entityId: string,
    operation: string,
    namespace: string,
    version: number | null,
    at: string,
  ) {
    this.#change.run(entity, entityId, operation, namespace, version, at);
  }

  isTombstoned(id: string): boolean {
    return this.db.prepare('SELECT 1 FROM node_tombstones WHERE id = ?').get(id) !== undefined;
  }
}
