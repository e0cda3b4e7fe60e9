import { EventEmitter } from 'node:events';

/** What happened inside Helix; the WebSocket, webhooks and the watcher subscribe here. */
export interface HelixEvents {
  'node.created': { id: string; namespace: string; kind: string; version: number };
  'node.updated': { id: string; namespace: string; kind: string; version: number; fields: string[] };
  'node.deleted': { id: string; namespace: string; kind: string };
  'relationship.created': { id: string; from_node: string; to_node: string; kind: string; namespace: string };
  'relationship.deleted': { id: string; from_node: string; to_node: string; kind: string; namespace: string };
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

  on<E extends EventName>(event: E, listener: (payload: HelixEvents[E]) => void): () => void {
    this.#emitter.on(event, listener);
    return () => this.#emitter.off(event, listener);
  }
}
