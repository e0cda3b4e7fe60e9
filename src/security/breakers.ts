import {
  BrokenCircuitError,
  CircuitState,
  ConsecutiveBreaker,
  circuitBreaker,
  handleWhen,
  IsolatedCircuitError,
} from 'cockatiel';
import { HelixError } from '../core/errors.js';

/**
 * Circuit breakers around outbound dependencies (embedding provider, LLM providers, webhooks, MCP
 * connectors), one per dependency name, process-wide so `/health` and `/metrics` see them all.
 *
 *   const breaker = breakerFor('embedding:openai');
 *   const vectors = await breaker.execute(() => callProvider());
 *
 * After `threshold` consecutive failures the circuit opens: calls fail at once with
 * `unavailable` (retryable, `details.retry_after_secs`) instead of waiting on a dead endpoint.
 * After `halfOpenAfterMs` the next call is a trial: success closes the circuit, failure re-opens it.
 * Only failures worth retrying count (a HelixError that is retryable, or any other error such as
 * a refused connection): a 400 for a bad request says nothing about the dependency's health.
 */

export type BreakerStateName = 'closed' | 'open' | 'half_open';

export interface BreakerState {
  name: string;
  state: BreakerStateName;
  /** consecutive failures counted so far (resets on success) */
  failures: number;
  /** when the circuit last opened, ISO-8601; null when it never did or has closed since */
  opened_at: string | null;
}

export interface BreakerOptions {
  /** consecutive failures that open the circuit (default 5) */
  threshold?: number;
  /** how long an open circuit refuses calls before letting a trial through (default 30 s) */
  halfOpenAfterMs?: number;
  /** which errors count as the dependency failing (default: retryable ones) */
  isFailure?: (err: unknown) => boolean;
}

export interface Breaker {
  readonly name: string;
  /** runs `fn` through the circuit; throws `unavailable` without calling it while open */
  execute<T>(fn: () => Promise<T> | T): Promise<T>;
  readonly state: BreakerState;
}

export const isRetryableFailure = (err: unknown): boolean =>
  err instanceof HelixError ? err.retryable : true;

const registry = new Map<string, Breaker>();

function createBreaker(name: string, options: BreakerOptions): Breaker {
  const halfOpenAfter = options.halfOpenAfterMs ?? 30_000;
  const policy = circuitBreaker(handleWhen(options.isFailure ?? isRetryableFailure), {
    halfOpenAfter,
    breaker: new ConsecutiveBreaker(options.threshold ?? 5),
  });
  let failures = 0;
  let openedAt: number | null = null;
  policy.onFailure(({ handled }) => {
    if (handled) failures++;
  });
  policy.onSuccess(() => {
    failures = 0;
  });
  policy.onBreak(() => {
    openedAt = Date.now();
  });
  policy.onReset(() => {
    openedAt = null;
    failures = 0;
  });

  const stateName = (): BreakerStateName => {
    const s = policy.state;
    if (s === CircuitState.Closed) return 'closed';
    if (s === CircuitState.HalfOpen) return 'half_open';
    // cockatiel moves to half-open lazily, on the first call after the pause: report that the
    // next call is a trial as soon as the pause is over
    return openedAt !== null && Date.now() - openedAt >= halfOpenAfter ? 'half_open' : 'open';
  };

  return {
    name,
    get state() {
      return {
        name,
        state: stateName(),
        failures,
        opened_at: openedAt === null ? null : new Date(openedAt).toISOString(),
      };
    },
    async execute(fn) {
      try {
        return await policy.execute(() => fn());
      } catch (err) {
        if (err instanceof BrokenCircuitError || err instanceof IsolatedCircuitError) {
          const waitMs = openedAt === null ? halfOpenAfter : openedAt + halfOpenAfter - Date.now();
          const retryAfter = Math.max(1, Math.ceil(waitMs / 1000));
          throw new HelixError(
            'unavailable',
            `${name} is failing: circuit open after repeated errors, next try in ${retryAfter}s`,
            { breaker: name, retry_after_secs: retryAfter },
          );
        }
        throw err;
      }
    },
  };
}

/**
 * The breaker for a dependency, created on first use. Options apply only when it is created;
 * later callers with the same name share it.
 */
export function breakerFor(name: string, options: BreakerOptions = {}): Breaker {
  let breaker = registry.get(name);
  if (!breaker) {
    breaker = createBreaker(name, options);
    registry.set(name, breaker);
  }
  return breaker;
}

/** Every breaker's state, by name (for `/health` details and the `helix_breaker_state` gauge). */
export const breakerStates = (): BreakerState[] =>
  [...registry.values()].map((b) => b.state).sort((a, b) => a.name.localeCompare(b.name));

/** For tests: forget one breaker (or all), so a test starts with a closed circuit. */
export function resetBreakers(name?: string): void {
  if (name === undefined) registry.clear();
  else registry.delete(name);
}
