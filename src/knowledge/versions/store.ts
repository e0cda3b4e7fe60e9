import type { Database, Statement } from 'better-sqlite3';
import { type FieldCodec, fieldCodec } from '../../storage/sealed-fields.js';

export type FieldChange = { before: unknown; after: unknown };
export type Changes = Record<string, FieldChange>;
export type VersionOperation = 'create' | 'update' | 'restore' | 'import';

export interface VersionRow {
  id: string;
  node_id: string;
  version: number;
  operation: VersionOperation;
  changes: string;
  created_at: string;
  /** the node data key `changes` is sealed under (it holds before/after values); null: plaintext */
  sealed_key?: number | null;
}

export interface NodeVersion {
  id: string;
  node_id: string;
  version: number;
  operation: VersionOperation;
  changes: Changes;
  created_at: string;
}

export function rowToVersion(codec: FieldCodec, { sealed_key: key, ...r }: VersionRow): NodeVersion {
  const text =
    key === null || key === undefined
      ? r.changes
      : codec.open(r.id, key, 'changes', JSON.parse(r.changes) as string);
  return { ...r, changes: JSON.parse(text) as Changes };
}

/** `changes` as stored: sealed (as a JSON string) when `[encryption] enabled`. */
export function sealChanges(codec: FieldCodec, id: string, changes: string): [string, number | null] {
  if (!codec.sealing) return [changes, null];
  const key = codec.activeKey();
  return [JSON.stringify(codec.seal(id, key, 'changes', changes)), key];
}

export class VersionStore {
  readonly #insert: Statement;
  readonly #prune: Statement<[string, number]>;
  readonly #byId: Statement<[string, string], VersionRow>;
  readonly #after: Statement<[string, number], VersionRow>;

  constructor(readonly db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO node_versions (id, node_id, version, operation, changes, created_at, sealed_key) VALUES (?, ?, ?, ?, ?, ?, ?)',
    );
    this.#prune = db.prepare('DELETE FROM node_versions WHERE node_id = ? AND version <= ?');
    this.#byId = db.prepare('SELECT * FROM node_versions WHERE node_id = ? AND id = ?');
    this.#after = db.prepare(
      'SELECT * FROM node_versions WHERE node_id = ? AND version > ? ORDER BY version DESC',
    );
  }

  /** Records a version and drops those that fall out of the rolling window. */
  record(
    id: string,
    nodeId: string,
    version: number,
    op: VersionOperation,
    changes: Changes,
    at: string,
    keep: number,
  ) {
    const [stored, key] = sealChanges(fieldCodec(this.db), id, JSON.stringify(changes));
    this.#insert.run(id, nodeId, version, op, stored, at, key);
    if (version > keep) this.#prune.run(nodeId, version - keep);
  }

  get(nodeId: string, versionId: string): NodeVersion | undefined {
    const r = this.#byId.get(nodeId, versionId);
    return r ? rowToVersion(fieldCodec(this.db), r) : undefined;
  }

  /** Versions newer than `version`, newest first: undoing them in turn walks back to it. */
  newerThan(nodeId: string, version: number): NodeVersion[] {
    const codec = fieldCodec(this.db);
    return this.#after.all(nodeId, version).map((r) => rowToVersion(codec, r));
  }

  list(nodeId: string, beforeVersion: number | undefined, limit: number): NodeVersion[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM node_versions WHERE node_id = ? ${beforeVersion ? 'AND version < ?' : ''} ORDER BY version DESC LIMIT ?`,
      )
      .all(...(beforeVersion ? [nodeId, beforeVersion, limit] : [nodeId, limit])) as VersionRow[];
    const codec = fieldCodec(this.db);
    return rows.map((r) => rowToVersion(codec, r));
  }
}
