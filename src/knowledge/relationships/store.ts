import type { Database, Statement } from 'better-sqlite3';
import type { Relationship, RelationshipKind } from './schema.js';

export interface RelationshipRow {
  id: string;
  from_node: string;
  to_node: string;
  kind: RelationshipKind;
  weight: number;
  metadata: string;
  created_at: string;
}

export const rowToRelationship = (r: RelationshipRow): Relationship => ({
  ...r,
  metadata: JSON.parse(r.metadata) as Record<string, unknown>,
});

export class RelationshipStore {
  readonly #insert: Statement;
  readonly #byId: Statement<[string], RelationshipRow>;
  readonly #byTriple: Statement<[string, string, string], RelationshipRow>;
  readonly #delete: Statement<[string]>;
  readonly #edgesOf: Statement<[string, string], RelationshipRow>;
  readonly #incoming: Statement<[string], RelationshipRow>;

  constructor(readonly db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO relationships (id, from_node, to_node, kind, weight, metadata, created_at) VALUES (@id, @from_node, @to_node, @kind, @weight, @metadata, @created_at)',
    );
    this.#byId = db.prepare('SELECT * FROM relationships WHERE id = ?');
    this.#byTriple = db.prepare(
      'SELECT * FROM relationships WHERE from_node = ? AND to_node = ? AND kind = ?',
    );
    this.#delete = db.prepare('DELETE FROM relationships WHERE id = ?');
    this.#edgesOf = db.prepare(
      'SELECT * FROM relationships WHERE from_node = ? UNION ALL SELECT * FROM relationships WHERE to_node = ?',
    );
    this.#incoming = db.prepare('SELECT * FROM relationships WHERE to_node = ? ORDER BY created_at, id');
  }

  insert(row: RelationshipRow): void {
    this.#insert.run(row);
  }

  get(id: string): RelationshipRow | undefined {
    return this.#byId.get(id);
  }

  find(from: string, to: string, kind: string): RelationshipRow | undefined {
    return this.#byTriple.get(from, to, kind);
  }

  updateAttributes(id: string, weight: number, metadata: string): void {
    this.db
      .prepare('UPDATE relationships SET weight = ?, metadata = ? WHERE id = ?')
      .run(weight, metadata, id);
  }

  delete(id: string): void {
    this.#delete.run(id);
  }

  edgesOf(nodeId: string): RelationshipRow[] {
    return this.#edgesOf.all(nodeId, nodeId);
  }

  incoming(nodeId: string): RelationshipRow[] {
    return this.#incoming.all(nodeId);
  }
}
