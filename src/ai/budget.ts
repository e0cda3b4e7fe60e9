import type { Clock } from '../core/clock.js';
import { HelixError } from '../core/errors.js';
import type { UsageStore } from './usage-store.js';

export type BudgetAction = 'downgrade' | 'reject';

export interface BudgetLimits {
  daily: number;
  /** per-provider daily caps in USD */
  caps: ReadonlyMap<string, number>;
  action: BudgetAction;
}

export interface Reservation {
  provider: string;
  day: string;
  amount: number;
  done: boolean;
}

export interface BudgetDenial {
  budget: 'daily' | 'provider';
  provider?: string;
  spent_usd: number;
  reserved_usd: number;
  requested_usd: number;
  limit_usd: number;
  reset_at: string;
}

const dayOf = (d: Date) => d.toISOString().slice(0, 10);
const EPS = 1e-9;

export function parseCaps(entries: readonly string[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of entries) {
    const m = /^([^=]+)=([0-9.]+)$/.exec(e.trim());
    if (!m) throw new Error(`[worker] provider_caps: "${e}" is not provider=usd`);
    out.set(m[1]!.trim(), Number(m[2]));
  }
  return out;
}

/**
 * The day's spend, in memory, seeded from llm_usage at start and on each new UTC day. A call
 * reserves its worst-case cost synchronously before going out and settles the real cost after, so
 * two concurrent calls can never both take the last dollar: JavaScript runs the check-and-add of
 * `reserve` without interleaving, and one worker process owns the ledger of its data home.
 */
export class BudgetLedger {
  private day = '';
  private spent = new Map<string, number>();
  private reserved = new Map<string, number>();
  private spentTotal = 0;
  private reservedTotal = 0;

  constructor(
    private readonly store: UsageStore,
    readonly limits: BudgetLimits,
    private readonly clock: Clock,
  ) {
    this.roll();
  }

  /** start of the next UTC day: when the daily budget and caps reset */
  resetAt(): string {
    const d = new Date(`${this.day}T00:00:00.000Z`);
    d.setUTCDate(d.getUTCDate() + 1);
    return d.toISOString();
  }

  private roll(): void {
    const today = dayOf(this.clock.now());
    if (today === this.day) return;
    this.day = today;
    this.spent = this.store.spendOn(today);
    this.spentTotal = [...this.spent.values()].reduce((a, b) => a + b, 0);
    this.reserved = new Map();
    this.reservedTotal = 0;
  }

  /** Reserves `amount` USD for a call to `provider`, or says which budget it would break. */
  reserve(provider: string, amount: number): Reservation | BudgetDenial {
    this.roll();
    const base = { reserved_usd: 0, requested_usd: amount, reset_at: this.resetAt() };
    if (amount > 0 && this.spentTotal + this.reservedTotal + amount > this.limits.daily + EPS)
      return {
        ...base,
        budget: 'daily',
        spent_usd: this.spentTotal,
        reserved_usd: this.reservedTotal,
        limit_usd: this.limits.daily,
      };
    const cap = this.limits.caps.get(provider);
    const pSpent = this.spent.get(provider) ?? 0;
    const pReserved = this.reserved.get(provider) ?? 0;
    if (amount > 0 && cap !== undefined && pSpent + pReserved + amount > cap + EPS)
      return {
        ...base,
        budget: 'provider',
        provider,
        spent_usd: pSpent,
        reserved_usd: pReserved,
        limit_usd: cap,
      };
    this.reserved.set(provider, pReserved + amount);
    this.reservedTotal += amount;
    return { provider, day: this.day, amount, done: false };
  }

  /** Replaces the reservation with the real cost (0 releases it: a failed call costs nothing). */
  settle(r: Reservation, actual: number): void {
    if (r.done) return;
    r.done = true;
    if (r.day === this.day) {
      this.reserved.set(r.provider, (this.reserved.get(r.provider) ?? 0) - r.amount);
      this.reservedTotal -= r.amount;
    }
    this.roll();
    this.spent.set(r.provider, (this.spent.get(r.provider) ?? 0) + actual);
    this.spentTotal += actual;
  }

  release(r: Reservation): void {
    this.settle(r, 0);
  }

  snapshot() {
    this.roll();
    return {
      day: this.day,
      limit_usd: this.limits.daily,
      spent_usd: this.spentTotal,
      reserved_usd: Math.max(0, this.reservedTotal),
      remaining_usd: Math.max(0, this.limits.daily - this.spentTotal - this.reservedTotal),
      action: this.limits.action,
      reset_at: this.resetAt(),
      providers: Object.fromEntries(
        [...new Set([...this.spent.keys(), ...this.reserved.keys(), ...this.limits.caps.keys()])].map((p) => [
          p,
          {
            spent_usd: this.spent.get(p) ?? 0,
            reserved_usd: Math.max(0, this.reserved.get(p) ?? 0),
            cap_usd: this.limits.caps.get(p) ?? null,
          },
        ]),
      ),
    };
  }
}

export const isDenial = (r: Reservation | BudgetDenial): r is BudgetDenial => 'budget' in r;

export function budgetError(d: BudgetDenial): HelixError {
  const which = d.budget === 'daily' ? 'the daily LLM budget' : `the daily cap of provider ${d.provider}`;
  return new HelixError(
    'budget_exceeded',
    `${which} is spent: ${d.spent_usd.toFixed(4)} of ${d.limit_usd.toFixed(2)} USD used (${d.reserved_usd.toFixed(4)} reserved by calls in flight); resets at ${d.reset_at}`,
    { ...d },
  );
}
