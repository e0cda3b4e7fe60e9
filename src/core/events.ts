import { EventEmitter } from 'node:events';

/** What happened inside Helix; the WebSocket, webhooks and the watcher subscribe here. */
export interface HelixEvents {
  'node.created': { id: string; namespace: string; kind: string; version: number };
  'node.updated': { id: string; namespace: string; kind: string; version: number; fields: string[] };
  'node.deleted': { id: string; namespace: string; kind: string };
  'relationship.created': { id: string; from_node: string; to_node: string; kind: string; namespace: string };
  'relationship.deleted': { id: string; from_node: string; to_node: string; kind: string; namespace: string };
  /** this process's keychain was unsealed or sealed (work waiting on the key can start or stop) */
  'vault.state': { state: 'sealed' | 'unsealed' };
  /** every committed write, from the change feed (see ChangeEvent) */
  change: ChangeEvent;
}

/**
 * One committed write, read back from the `changes` table by the change follower, so writes by
 * other processes (an `hx import` beside the server) are seen as well as this process's own.
 * The in-process events above fire only for writes made here; subscribers that must see every
 * write (the WebSocket) listen to `change` instead. `at` is the commit time (ISO-8601 UTC).
 */
export type NodeChangeType = 'node.created' | 'node.updated' | 'node.deleted';
export type RelationshipChangeType = 'relationship.created' | 'relationship.deleted';
export type ChangeEvent =
  | {
      type: NodeChangeType;
      seq: number;
      id: string;
      namespace: string;
      kind: string;
      tags: string[];
      version: number | null;
      at: string;
    }
  | {
      type: RelationshipChangeType;
      seq: number;
      id: string;
      namespace: string;
      kind: string | null;
      source_id: string | null;
      target_id: string | null;
      /** the endpoints' scope attributes when known, so a tag- or kind-scoped reader can be checked */
      endpoints: { source: NodeRef | null; target: NodeRef | null };
      at: string;
    };

/** The attributes of a node that scope checks read. */
export interface NodeRef {
  namespace: string;
  kind: string;
  tags: string[];
}

export type EventName = keyof HelixEvents;

/** A typed in-process event bus. Listeners run after the write has committed. */
export class EventBus {
  readonly #emitter = new EventEmitter({ captureRejections: false });

  constructor() {
    this.#emitter.setMaxListeners(0);
  }

  emit<E extends EventName>(event: E, payload: HelixEvents[E]): void {
    this.#emitter.emit(event, payload);
  }

  /** how many listeners an event has (a producer can skip work nobody will receive) */
  listenerCount(event: EventName): number {
    return this.#emitter.listenerCount(event);
  }

  on<E extends EventName>(event: E, listener: (payload: HelixEvents[E]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
