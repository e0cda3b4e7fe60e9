import type { WebSocket } from 'ws';
import type { ChangeEvent } from '../../core/events.js';
import { HelixError } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { validate } from '../../core/validate.js';
import { canUseNamespace } from '../../security/policy.js';
import type { Principal } from '../../security/principal.js';
import { ClientMessage, matches, presentEvent } from './protocol.js';
import { eventVisible } from './visibility.js';

/** Close codes: 4401 = not authenticated (4000 + HTTP 401), as browsers cannot read an upgrade's status. */
export const CLOSE = {
  unauthenticated: 4401,
  policy: 1008,
  tooSlow: 1013,
} as const;

export interface ConnectionLimits {
  maxBufferedBytes: number;
  maxMessagesPerMinute: number;
  authTimeoutMs: number;
}

export interface ConnectionDeps {
  limits: ConnectionLimits;
  logger: Logger;
  /** resolves a token sent in an `auth` message (audited and rate limited by the caller) */
  authenticate(token: string): Promise<Principal>;
  /** records the largest send buffer seen, so a test can check memory stays bounded */
  observeBuffered(bytes: number): void;
  onDrop(reason: string): void;
}

const FORCE_CLOSE_MS = 1000;

/**
 * One client: who it is, what it subscribed to, and the limits that keep it from costing the
 * server more than a bounded buffer. Events pass `eventVisible` (namespace, tag and kind scope)
 * before anything is queued for the client.
 */
export class WsConnection {
  principal: Principal | null;
  readonly events = new Set<string>();
  /** null: every namespace the principal may read */
  namespaces: Set<string> | null = null;
  #alive = true;
  #closed = false;
  #windowStart = Date.now();
  #count = 0;
  #authTimer: NodeJS.Timeout | undefined;
  #queue: Promise<void> = Promise.resolve();

  constructor(
    readonly socket: WebSocket,
    principal: Principal | null,
    private readonly deps: ConnectionDeps,
  ) {
    this.principal = principal;
    socket.on('message', (data, isBinary) => {
      if (this.#closed) return;
      if (this.#overLimit()) {
        this.#error(new HelixError('rate_limited', 'too many messages on this connection'));
        this.close(CLOSE.policy, 'rate limit exceeded');
        return;
      }
      // one at a time, in order: a `subscribe` sent right behind `auth` waits for the login
      this.#queue = this.#queue.then(() => this.#onMessage(data.toString(), isBinary));
    });
    socket.on('pong', () => {
      this.#alive = true;
    });
    socket.on('close', () => {
      this.#closed = true;
      clearTimeout(this.#authTimer);
    });
    if (principal) this.#welcome();
    else {
      // browsers cannot set headers on an upgrade: the first message may carry the token instead
      this.#authTimer = setTimeout(
        () => this.close(CLOSE.unauthenticated, 'authentication required'),
        deps.limits.authTimeoutMs,
      );
      this.#authTimer.unref();
    }
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Sends the event if subscribed to and visible; `encoded` is its wire text, shared by all clients. */
  deliver(e: ChangeEvent, encoded: () => string = () => JSON.stringify(presentEvent(e))): void {
    const p = this.principal;
    if (!p || this.#closed || !matches(this.events, e.type)) return;
    if (this.namespaces && !this.namespaces.has(e.namespace)) return;
    if (!eventVisible(p, e)) return;
    this.#sendText(encoded());
  }

  /** Keepalive: a client that did not answer the previous ping is gone. */
  keepalive(): void {
    if (this.#closed) return;
    if (!this.#alive) {
      this.deps.onDrop('keepalive');
      this.#closed = true;
      this.socket.terminate();
      return;
    }
    this.#alive = false;
    this.socket.ping();
  }

  /**
   * Queues a message unless the client has fallen too far behind: then it is dropped, so a
   * client that stops reading costs at most the buffer limit, never unbounded server memory.
   */
  send(message: Record<string, unknown>): void {
    this.#sendText(JSON.stringify(message));
  }

  #sendText(text: string): void {
    if (this.#closed) return;
    const buffered = this.socket.bufferedAmount;
    this.deps.observeBuffered(buffered);
    if (buffered + Buffer.byteLength(text) > this.deps.limits.maxBufferedBytes) {
      this.deps.onDrop('slow consumer');
      this.close(CLOSE.tooSlow, 'too slow: send buffer full');
      return;
    }
    this.socket.send(text);
  }

  close(code: number, reason: string): void {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#authTimer);
    this.socket.close(code, reason);
    // a client that does not read will not complete the closing handshake either
    setTimeout(() => this.socket.terminate(), FORCE_CLOSE_MS).unref();
  }

  #welcome(): void {
    const p = this.principal!;
    this.send({ type: 'ready', principal: { id: p.id, role: p.role, namespaces: p.namespaces } });
  }

  #error(err: unknown): void {
    const e = err instanceof HelixError ? err : new HelixError('internal_error', 'internal error');
    this.send({ type: 'error', code: e.code, message: e.message });
  }

  #overLimit(): boolean {
    const now = Date.now();
    if (now - this.#windowStart >= 60_000) {
      this.#windowStart = now;
      this.#count = 0;
    }
    return ++this.#count > this.deps.limits.maxMessagesPerMinute;
  }

  async #onMessage(text: string, isBinary: boolean): Promise<void> {
    if (this.#closed) return;
    try {
      if (isBinary) throw new HelixError('validation_error', 'message: send JSON text frames');
      let raw: unknown;
      try {
        raw = JSON.parse(text);
      } catch {
        throw new HelixError('validation_error', 'message: malformed JSON');
      }
      const msg = validate(ClientMessage, raw, 'message');
      if (msg.type === 'ping') return this.send({ type: 'pong', ...(msg.id ? { id: msg.id } : {}) });
      if (msg.type === 'auth') return await this.#auth(msg.token);
      if (!this.principal) {
        this.close(CLOSE.unauthenticated, 'authentication required');
        return;
      }
      if (msg.type === 'subscribe') this.#subscribe(msg.events, msg.namespaces);
      else if (msg.events) for (const e of msg.events) this.events.delete(e);
      else this.events.clear();
      this.#subscribed();
    } catch (err) {
      if (!(err instanceof HelixError)) this.deps.logger.error({ err }, 'websocket message failed');
      this.#error(err);
    }
  }

  async #auth(token: string): Promise<void> {
    if (this.principal) throw new HelixError('validation_error', 'message: already authenticated');
    try {
      this.principal = await this.deps.authenticate(token);
    } catch (err) {
      this.#error(err);
      this.close(CLOSE.unauthenticated, 'authentication failed');
      return;
    }
    clearTimeout(this.#authTimer);
    this.#welcome();
  }

  #subscribe(events: string[], namespaces: string[] | undefined): void {
    const p = this.principal!;
    if (namespaces) {
      const outside = namespaces.filter((ns) => !canUseNamespace(p, ns));
      if (outside.length > 0) {
        throw new HelixError(
          'forbidden',
          `namespaces: ${outside.join(', ')} not readable by this principal`,
          {
            field: 'namespaces',
          },
        );
      }
      this.namespaces = new Set(namespaces);
    }
    for (const e of events) this.events.add(e);
  }

  #subscribed(): void {
    this.send({
      type: 'subscribed',
      events: [...this.events].sort(),
      namespaces: this.namespaces ? [...this.namespaces].sort() : null,
    });
  }
}
