import { isHelixError } from '../core/errors.js';
import { type BreakerStateName, breakerFor, breakerStates } from '../security/breakers.js';
import { classify } from './classify.js';

export type BreakerState = BreakerStateName;

export interface ProviderBreakerState {
  state: BreakerState;
  failures: number;
  opened_at: string | null;
}

const PREFIX = 'llm:';

/** True when a call was refused by an open circuit (the provider was not called). */
export const isOpenCircuit = (err: unknown): boolean =>
  isHelixError(err) && typeof err.details?.breaker === 'string' && err.details.breaker.startsWith(PREFIX);

/**
 * One breaker per provider (`llm:<provider>` in the process-wide registry, so /health and the
 * helix_breaker_state gauge of /metrics show them): N consecutive retryable failures (429, 5xx,
 * timeouts) open it, so the router stops paying the latency of a provider that is down; after the
 * cooldown one trial call decides. A 400 is the request's fault, not the provider's: not counted.
 */
export class ProviderBreakers {
  constructor(
    private readonly threshold: number,
    private readonly cooldownMs: number,
  ) {}

  for(provider: string) {
    return breakerFor(`${PREFIX}${provider}`, {
      threshold: this.threshold,
      halfOpenAfterMs: this.cooldownMs,
      isFailure: (err) => classify(err).retryable,
    });
  }

  state(provider: string): BreakerState {
    return breakerStates().find((b) => b.name === `${PREFIX}${provider}`)?.state ?? 'closed';
  }

  /** every provider breaker so far, by provider */
  snapshot(): Record<string, ProviderBreakerState> {
    const out: Record<string, ProviderBreakerState> = {};
    for (const b of breakerStates())
      if (b.name.startsWith(PREFIX))
        out[b.name.slice(PREFIX.length)] = { state: b.state, failures: b.failures, opened_at: b.opened_at };
    return out;
  }
}
