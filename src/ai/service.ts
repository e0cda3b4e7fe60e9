import type { Database } from 'better-sqlite3';
import type { Clock } from '../core/clock.js';
import type { HelixConfig } from '../core/config/schema.js';
import { ProviderBreakers } from './breakers.js';
import { BudgetLedger, parseCaps } from './budget.js';
import { buildCatalog, type KeyResolver } from './catalog.js';
import { ReachabilityCache } from './reachability.js';
import { LlmRouter } from './router.js';
import { UsageStore, type UsageStoreOptions } from './usage-store.js';

export interface AiServices {
  router: LlmRouter;
  ledger: BudgetLedger;
  usage: UsageStore;
  breakers: ProviderBreakers;
  reachability: ReachabilityCache;
  /** Reads the provider keys again (after the vault was unsealed) and swaps the router's catalog. */
  reloadKeys(): void;
}

export interface AiDeps {
  config: HelixConfig;
  db: Database;
  clock: Clock;
  resolveKey: KeyResolver;
  fetch?: typeof globalThis.fetch;
  /** usage rows written at the end of the tick, after the reply (see UsageStoreOptions) */
  usageWrites?: UsageStoreOptions;
}

/** Builds the router, ledger, usage store and breakers once, over a migrated database. */
export function createAiServices(deps: AiDeps): AiServices {
  const w = deps.config.worker;
  const catalog = buildCatalog(deps.config, deps.resolveKey);
  const usage = new UsageStore(deps.db, deps.usageWrites);
  const ledger = new BudgetLedger(
    usage,
    { daily: w.budget_limit, caps: parseCaps(w.provider_caps), action: w.budget_action },
    deps.clock,
  );
  const breakers = new ProviderBreakers(w.breaker_threshold, w.breaker_cooldown_secs * 1000);
  const router = new LlmRouter({
    catalog,
    ledger,
    usage,
    breakers,
    clock: deps.clock,
    timeoutMs: w.request_timeout_secs * 1000,
    defaultMaxTokens: w.max_tokens,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
  });
  return {
    router,
    ledger,
    usage,
    breakers,
    reachability: new ReachabilityCache(w.models_cache_secs * 1000, deps.fetch),
    reloadKeys: () => router.useCatalog(buildCatalog(deps.config, deps.resolveKey)),
  };
}
