import type { Database } from 'better-sqlite3';
import { NodeStore } from './nodes/store.js';
import { RelationshipStore } from './relationships/store.js';
import { VersionStore } from './versions/store.js';

export interface KnowledgeStores {
  nodes: NodeStore;
  versions: VersionStore;
  relationships: RelationshipStore;
}

const cache = new WeakMap<Database, KnowledgeStores>();

/** The knowledge stores of a database, prepared once and shared by every use case. */
export function knowledgeStores(db: Database): KnowledgeStores {
  let s = cache.get(db);
  if (!s) {
    s = {
      nodes: new NodeStore(db),
      versions: new VersionStore(db),
      relationships: new RelationshipStore(db),
    };
    cache.set(db, s);
  }
  return s;
}
