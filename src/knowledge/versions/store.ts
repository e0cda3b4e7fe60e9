import type { Database, Statement } from 'better-sqlite3';

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
}

export interface NodeVersion {
  id: string;
  node_id: string;
  version: number;
  operation: VersionOperation;
  changes: Changes;
  created_at: string;
}

export const rowToVersion = (r: VersionRow): NodeVersion => ({
  ...r,
  changes: JSON.parse(r.changes) as Changes,
});

export class VersionStore {
  readonly #insert: Statement;
  readonly #prune: Statement<[string, number]>;
  readonly #byId: Statement<[string, string], VersionRow>;
  readonly #after: Statement<[string, number], VersionRow>;

  constructor(readonly db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO node_versions (id, node_id, version, operation, changes, created_at) VALUES (?, ?, ?, ?, ?, ?)',
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
    this.#insert.run(id, nodeId, version, op, JSON.stringify(changes), at);
    if (version > keep) this.#prune.run(nodeId, version - keep);
  }

  get(nodeId: string, versionId: string): NodeVersion | undefined {
    const r = this.#byId.get(nodeId, versionId);
    return r ? rowToVersion(r) : undefined;
  }

  /** Versions newer than `version`, newest first: undoing them in turn walks back to it. */
  newerThan(nodeId: string, version: number): NodeVersion[] {
    return this.#after.all(nodeId, version).map(rowToVersion);
  }

  list(nodeId: string, beforeVersion: number | undefined, limit: number): NodeVersion[] {
    const rows = this.db
      .prepare(
        `SELECT * FROM node_versions WHERE node_id = ? ${beforeVersion ? 'AND version < ?' : ''} ORDER BY version DESC LIMIT ?`,
      )
      .all(...(beforeVersion ? [nodeId, beforeVersion, limit] : [nodeId, limit])) as VersionRow[];
    return rows.map(rowToVersion);
  }
}
