import type { LanguageModel, ModelMessage } from 'ai';
import { HelixError } from '../core/errors.js';
import { isOpenCircuit } from './breakers.js';
import type { Catalog, CatalogModel } from './catalog.js';
import { type BudgetDenial, budgetError, isDenial, type Reservation } from './budget.js';
import { classify, type Failure, upstreamError } from './classify.js';
import { ModelCache } from './model-cache.js';
import { costOf } from './prices.js';
import { splitModelRef, type TaskType } from './providers.js';
import { noProvider, notConfigured } from './router-errors.js';
import { complete, loadSdk } from './sdk.js';
import type {
  Attempt,
  ChatMessage,
  GenerateResult,
  RouteRequest,
  RouterDeps,
  StreamEvent,
  StreamHandle,
} from './router-types.js';

export type {
  Attempt,
  ChatMessage,
  GenerateResult,
  RouteRequest,
  RouterDeps,
  StreamEvent,
  StreamHandle,
} from './router-types.js';

/** Quality floors `auto` applies when a request names none. */
const taskFloor: Record<TaskType, number> = { chat: 3, reasoning: 4, code: 4, fast: 1 };

/** Prompt tokens, estimated before the call: about four characters a token, plus per-message framing. */
export const estimateInputTokens = (messages: ChatMessage[]) =>
  messages.reduce((n, m) => n + Math.ceil(m.content.length / 4) + 4, 0);

interface Plan {
  candidates: CatalogModel[];
  explicit: boolean;
  task: TaskType;
  /** floor for a budget downgrade: the request's own, or none */
  downgradeFloor: number;
}

interface Routed<T> {
  value: T;
  candidate: CatalogModel;
  reservation: Reservation;
  started: number;
  downgraded: boolean;
  attempts: Attempt[];
  inputEstimate: number;
}

/**
 * Picks a model for each request and falls back across candidates on retryable failures, with a
 * budget reservation per attempt and a breaker per provider. Our loop owns retries: the SDK runs
 * with maxRetries 0.
 */
export class LlmRouter {
  private readonly models = new ModelCache(() => this.deps);

  constructor(public deps: RouterDeps) {}

  get catalog(): Catalog {
    return this.deps.catalog;
  }
  /** Swaps the provider catalog: keys became readable (the vault was unsealed) or went away. */
  useCatalog(catalog: Catalog): void {
    this.deps = { ...this.deps, catalog };
    this.models.clear();
  }

  /** Loads the SDK and the configured providers' packages before the first call (ModelCache). */
  warm(): Promise<void> {
    return this.models.warm();
  }

  private estimate(c: CatalogModel, inputTokens: number, maxTokens: number): number {
    return costOf(c.price, inputTokens, maxTokens);
  }

  /** Candidates in the order they will be tried. */
  plan(req: RouteRequest): Plan {
    const { catalog } = this.deps;
    const task = req.task ?? 'chat';
    const downgradeFloor = req.quality ?? 1;
    const requested = req.model && req.model !== 'auto' ? req.model : undefined;
    if (requested) {
      const split = requested.includes('/') && !req.provider ? splitModelRef(requested) : undefined;
      const provider = req.provider ?? split?.provider;
      if (!provider)
        throw new HelixError('validation_error', 'model: name it as provider/model (or pass provider)', {
          field: 'model',
        });
      const modelId = split ? split.model : requested;
      const p = catalog.provider(provider);
      if (!p) throw notConfigured(catalog, provider);
      const known = catalog.model(`${provider}/${modelId}`);
      // an unlisted model of a configured provider is allowed; without a price it counts as free
      const c: CatalogModel = known ?? {
        provider,
        model: modelId,
        ref: `${provider}/${modelId}`,
        quality: 3,
        tasks: ['chat', 'reasoning', 'code', 'fast'],
        price: catalog.prices.get(`${provider}/${modelId}`) ?? { input: 0, output: 0 },
        priced: catalog.prices.has(`${provider}/${modelId}`),
      };
      return { candidates: [c], explicit: true, task, downgradeFloor };
    }
    let pool = catalog.models;
    if (req.provider) {
      if (!catalog.provider(req.provider)) throw notConfigured(catalog, req.provider);
      pool = pool.filter((x) => x.provider === req.provider);
    }
    if (pool.length === 0) throw noProvider(catalog);
    const floor = req.quality ?? taskFloor[task];
    let chosen = pool.filter((x) => x.quality >= floor && x.tasks.includes(task));
    if (chosen.length === 0) chosen = pool.filter((x) => x.quality >= floor);
    // nothing reaches the floor: the best there is, rather than nothing
    if (chosen.length === 0) chosen = [...pool].sort((a, b) => b.quality - a.quality);
    return { candidates: this.rank(chosen), explicit: false, task, downgradeFloor };
  }

  /** healthy first, then cheapest, then best */
  private rank(models: CatalogModel[]): CatalogModel[] {
    const open = (c: CatalogModel) => (this.deps.breakers.state(c.provider) === 'open' ? 1 : 0);
    const price = (c: CatalogModel) => c.price.input + c.price.output * 2;
    return [...models].sort((a, b) => open(a) - open(b) || price(a) - price(b) || b.quality - a.quality);
  }

  private downgradeList(floor: number): CatalogModel[] {
    return this.rank(this.deps.catalog.models.filter((x) => x.quality >= floor));
  }

  private async route<T>(
    req: RouteRequest,
    stream: boolean,
    run: (c: CatalogModel, lm: LanguageModel, signal: AbortSignal) => Promise<T>,
  ): Promise<Routed<T>> {
    const { ledger, usage, breakers, clock } = this.deps;
    const plan = this.plan(req);
    const maxTokens = req.max_tokens ?? this.deps.defaultMaxTokens;
    const inputEstimate = estimateInputTokens(req.messages);
    let queue = [...plan.candidates];
    const tried = new Set<string>();
    const retriedSocket = new Set<string>();
    const attempts: Attempt[] = [];
    let lastFailure: Failure | undefined;
    let lastDenial: BudgetDenial | undefined;
    let downgraded = false;
    const row = (c: CatalogModel, outcome: 'error' | 'rejected' | 'aborted', code: string, latency = 0) => {
      const at = clock.now();
      usage.record({
        at: at.toISOString(),
        day: at.toISOString().slice(0, 10),
        provider: c.provider,
        model: c.model,
        task: plan.task,
        input_tokens: 0,
        output_tokens: 0,
        cost_usd: 0,
        latency_ms: latency,
        outcome,
        error_code: code,
        stream,
        principal_id: req.principalId ?? null,
        request_id: req.requestId ?? null,
      });
    };
    while (queue.length > 0) {
      const c = queue.shift()!;
      if (tried.has(c.ref)) continue;
      tried.add(c.ref);
      const r = ledger.reserve(c.provider, this.estimate(c, inputEstimate, maxTokens));
      if (isDenial(r)) {
        lastDenial = r;
        attempts.push({ model: c.ref, outcome: `budget_${r.budget}` });
        row(c, 'rejected', 'budget_exceeded');
        if (ledger.limits.action === 'downgrade' && !downgraded) {
          downgraded = true;
          queue = this.downgradeList(plan.downgradeFloor).filter((x) => !tried.has(x.ref));
          continue;
        }
        if (downgraded || (r.budget === 'provider' && !plan.explicit)) continue;
        throw budgetError(r);
      }
      const started = performance.now();
      const ac = new AbortController();
      const timer = setTimeout(
        () => ac.abort(new DOMException('provider timeout', 'TimeoutError')),
        this.deps.timeoutMs,
      );
      const onCallerAbort = () => ac.abort(new DOMException('caller aborted', 'AbortError'));
      req.signal?.addEventListener('abort', onCallerAbort, { once: true });
      try {
        const lm = await this.models.get(c);
        const value = await breakers.for(c.provider).execute(() => run(c, lm, ac.signal));
        attempts.push({ model: c.ref, outcome: 'ok' });
        return { value, candidate: c, reservation: r, started, downgraded, attempts, inputEstimate };
      } catch (err) {
        ledger.release(r);
        req.signal?.removeEventListener('abort', onCallerAbort);
        if (isOpenCircuit(err)) {
          attempts.push({ model: c.ref, outcome: 'breaker_open' });
          lastFailure = { retryable: true, kind: 'breaker_open', message: `${c.provider} circuit is open` };
          continue;
        }
        const f = classify(err, req.signal?.aborted ?? false);
        attempts.push({ model: c.ref, outcome: f.kind });
        row(c, f.kind === 'aborted' ? 'aborted' : 'error', f.kind, performance.now() - started);
        lastFailure = f;
        // a pooled keep-alive socket the provider had just closed: the request never reached it,
        // so the same candidate gets one more try before anything else
        if (f.kind === 'unreachable' && !retriedSocket.has(c.ref)) {
          retriedSocket.add(c.ref);
          tried.delete(c.ref);
          queue.unshift(c);
          continue;
        }
        if (!f.retryable || plan.explicit) throw upstreamError(f, attempts);
      } finally {
        clearTimeout(timer);
      }
    }
    if (lastDenial && !lastFailure) throw budgetError(lastDenial);
    throw upstreamError(lastFailure ?? { retryable: false, kind: 'none', message: 'no candidate' }, attempts);
  }

  private settleOk(
    req: RouteRequest,
    routed: Routed<unknown>,
    text: string,
    inTok: number | undefined,
    outTok: number | undefined,
    stream: boolean,
    outcome: 'ok' | 'error' | 'aborted' = 'ok',
    errorCode: string | null = null,
  ): GenerateResult {
    const c = routed.candidate;
    const input = inTok ?? routed.inputEstimate;
    const output = outTok ?? Math.ceil(text.length / 4);
    const cost = costOf(c.price, input, output);
    this.deps.ledger.settle(routed.reservation, cost);
    const latency = performance.now() - routed.started;
    const at = this.deps.clock.now();
    this.deps.usage.record({
      at: at.toISOString(),
      day: at.toISOString().slice(0, 10),
      provider: c.provider,
      model: c.model,
      task: req.task ?? 'chat',
      input_tokens: input,
      output_tokens: output,
      cost_usd: cost,
      latency_ms: latency,
      outcome,
      error_code: errorCode,
      stream,
      principal_id: req.principalId ?? null,
      request_id: req.requestId ?? null,
    });
    return {
      text,
      provider: c.provider,
      model: c.model,
      usage: { input_tokens: input, output_tokens: output },
      cost_usd: cost,
      latency_ms: latency,
      downgraded: routed.downgraded,
      attempts: routed.attempts,
    };
  }

  private callSettings(req: RouteRequest, lm: LanguageModel, signal: AbortSignal) {
    return {
      model: lm,
      messages: req.messages as ModelMessage[],
      allowSystemInMessages: true,
      maxOutputTokens: req.max_tokens ?? this.deps.defaultMaxTokens,
      ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
      maxRetries: 0,
      abortSignal: signal,
    };
  }

  async generate(req: RouteRequest): Promise<GenerateResult> {
    const sdk = await loadSdk();
    // the provider model's doGenerate, as generateText would call it, minus its wrapper (sdk.ts)
    const routed = await this.route(req, false, (_c, lm, signal) =>
      complete(sdk, lm, {
        messages: req.messages,
        maxOutputTokens: req.max_tokens ?? this.deps.defaultMaxTokens,
        ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
        abortSignal: signal,
      }),
    );
    const r = routed.value;
    return this.settleOk(req, routed, r.text, r.inputTokens, r.outputTokens, false);
  }

  /**
   * Resolves once a candidate produced its first token (or finished empty); failures before that
   * fall through to the next candidate. A failure after it ends the event stream with an error.
   */
  async stream(req: RouteRequest): Promise<StreamHandle> {
    type Part = {
      type: string;
      text?: string;
      error?: unknown;
      totalUsage?: { inputTokens?: number; outputTokens?: number };
    };
    const { streamText } = await loadSdk();
    const routed = await this.route(req, true, async (_c, lm, signal) => {
      const result = streamText({ ...this.callSettings(req, lm, signal), onError: () => {} });
      const it = (result.fullStream as AsyncIterable<Part>)[Symbol.asyncIterator]();
      for (;;) {
        const n = await it.next();
        if (n.done) return { it, first: undefined as Part | undefined };
        const p = n.value;
        if (p.type === 'error') throw p.error;
        if (p.type === 'abort') throw new DOMException('aborted', 'AbortError');
        if ((p.type === 'text-delta' && p.text) || p.type === 'finish') return { it, first: p };
      }
    });
    const self = this;
    async function* events(): AsyncGenerator<StreamEvent> {
      let text = '';
      let settled = false;
      const { it, first } = routed.value;
      try {
        let p: Part | undefined = first;
        while (p) {
          if (p.type === 'text-delta' && p.text) {
            text += p.text;
            yield { type: 'delta', text: p.text };
          } else if (p.type === 'finish') {
            settled = true;
            const u = p.totalUsage;
            yield {
              type: 'done',
              result: self.settleOk(req, routed, text, u?.inputTokens, u?.outputTokens, true),
            };
            return;
          } else if (p.type === 'error') throw p.error;
          else if (p.type === 'abort') throw new DOMException('aborted', 'AbortError');
          const n = await it.next();
          p = n.done ? undefined : n.value;
        }
        settled = true;
        yield { type: 'done', result: self.settleOk(req, routed, text, undefined, undefined, true) };
      } catch (err) {
        const f = classify(err, req.signal?.aborted ?? false);
        settled = true;
        // what was generated before the failure is billed by the provider: charge the estimate
        self.settleOk(
          req,
          routed,
          text,
          undefined,
          undefined,
          true,
          f.kind === 'aborted' ? 'aborted' : 'error',
          f.kind,
        );
        yield { type: 'error', code: f.kind, message: `the reply broke off: ${f.message}` };
      } finally {
        if (!settled) {
          // the consumer stopped reading (client gone, Ctrl-C): stop the upstream call and bill what came
          void it.return?.();
          self.settleOk(req, routed, text, undefined, undefined, true, 'aborted', 'aborted');
        }
      }
    }
    return {
      provider: routed.candidate.provider,
      model: routed.candidate.model,
      downgraded: routed.downgraded,
      events: events(),
    };
  }
}
