import type { Clock } from '../core/clock.js';
import type { ProviderBreakers } from './breakers.js';
import type { BudgetLedger } from './budget.js';
import type { Catalog } from './catalog.js';
import type { TaskType } from './providers.js';
import type { UsageStore } from './usage-store.js';

/** What callers of the LLM router send and get back (the router itself is router.ts). */
export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

export interface RouteRequest {
  messages: ChatMessage[];
  /** `auto`, a model id of `provider`, or `provider/model` */
  model?: string;
  provider?: string;
  task?: TaskType;
  /** the lowest quality tier (1–5) acceptable; also the floor a budget downgrade keeps */
  quality?: number;
  max_tokens?: number;
  temperature?: number;
  principalId?: string;
  requestId?: string;
  signal?: AbortSignal;
}

export interface Attempt {
  model: string;
  outcome: string;
}

export interface GenerateResult {
  text: string;
  provider: string;
  model: string;
  usage: { input_tokens: number; output_tokens: number };
  cost_usd: number;
  latency_ms: number;
  downgraded: boolean;
  attempts: Attempt[];
}

export type StreamEvent =
  | { type: 'delta'; text: string }
  | { type: 'done'; result: GenerateResult }
  | { type: 'error'; code: string; message: string };

export interface StreamHandle {
  provider: string;
  model: string;
  downgraded: boolean;
  /** the first token is already in; iterate to get it and the rest */
  events: AsyncGenerator<StreamEvent>;
}

export interface RouterDeps {
  catalog: Catalog;
  ledger: BudgetLedger;
  usage: UsageStore;
  breakers: ProviderBreakers;
  clock: Clock;
  timeoutMs: number;
  defaultMaxTokens: number;
  fetch?: typeof globalThis.fetch;
}
