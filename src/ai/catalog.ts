import type { HelixConfig } from '../core/config/schema.js';
import { buildPriceTable, type Price, type PriceTable } from './prices.js';
import { type ProviderSpec, providerSpecs, splitModelRef, type TaskType, taskTypes } from './providers.js';

/**
 * Where credentials come from. Today the environment; the vault plugs in here later (a resolver
 * that asks the vault first, then falls back to the environment).
 */
export type KeyResolver = (name: string) => string | undefined;

export const envKeys =
  (env: Record<string, string | undefined>): KeyResolver =>
  (name) => {
    const v = env[name];
    return v === undefined || v.trim() === '' ? undefined : v.trim();
  };

export interface CatalogModel {
  provider: string;
  model: string;
  /** `provider/model` */
  ref: string;
  quality: number;
  tasks: readonly TaskType[];
  price: Price;
  /** false when no price is known (counted as free) */
  priced: boolean;
}

export interface ConfiguredProvider {
  spec: ProviderSpec;
  baseUrl: string;
  /** the resolved credentials, by variable name; never leaves the process */
  credentials: Readonly<Record<string, string>>;
  models: CatalogModel[];
}

export interface Catalog {
  providers: ConfiguredProvider[];
  /** known providers without credentials, with the variables that would configure them */
  unconfigured: { id: string; label: string; env: readonly string[] }[];
  models: CatalogModel[];
  prices: PriceTable;
  provider(id: string): ConfiguredProvider | undefined;
  model(ref: string): CatalogModel | undefined;
}

const pairs = (entries: readonly string[], what: string): Map<string, string> => {
  const out = new Map<string, string>();
  for (const e of entries) {
    const i = e.indexOf('=');
    if (i <= 0) throw new Error(`[worker] ${what}: "${e}" is not name=value`);
    out.set(e.slice(0, i).trim(), e.slice(i + 1).trim());
  }
  return out;
};

/** The providers this process can call, from config and the credentials the resolver finds. */
export function buildCatalog(config: HelixConfig, resolveKey: KeyResolver): Catalog {
  const w = config.worker;
  const prices = buildPriceTable(w.prices);
  const baseUrls = pairs(w.base_urls, 'base_urls');
  const extra = w.models.map((ref) => {
    const s = splitModelRef(ref);
    if (!s) throw new Error(`[worker] models: "${ref}" is not provider/model`);
    return s;
  });
  const specs: ProviderSpec[] = [...providerSpecs];
  for (const [name, url] of pairs(w.custom_providers, 'custom_providers')) {
    specs.push({
      id: name,
      label: `custom (${name})`,
      adapter: 'openai-compatible',
      env: [],
      defaultBaseUrl: url,
      models: [],
      local: true,
    });
  }
  // The [llm] section (the reference's OpenAI-compatible assist settings) is one more endpoint.
  if (config.llm.enabled) {
    specs.push({
      id: 'llm',
      label: `[llm] ${config.llm.base_url}`,
      adapter: 'openai-compatible',
      env: [],
      defaultBaseUrl: config.llm.base_url,
      models: [{ id: config.llm.model, quality: 2, tasks: [...taskTypes] }],
      local: true,
    });
  }

  const providers: ConfiguredProvider[] = [];
  const unconfigured: Catalog['unconfigured'] = [];
  for (const spec of specs) {
    const credentials: Record<string, string> = {};
    for (const name of spec.env) {
      const v = resolveKey(name);
      if (v !== undefined) credentials[name] = v;
    }
    const override = baseUrls.get(spec.id);
    const optionalKey = resolveKey(`${spec.id.toUpperCase().replace(/[^A-Z0-9]/g, '_')}_API_KEY`);
    if (spec.id === 'llm' && config.llm.api_key) credentials.HELIX_LLM_API_KEY = config.llm.api_key;
    else if (spec.local && optionalKey) credentials[`${spec.id.toUpperCase()}_API_KEY`] = optionalKey;
    const keyed = spec.env.length > 0 && spec.env.every((n) => credentials[n] !== undefined);
    // a local provider (Ollama) counts once its URL is named; a custom or [llm] one always does
    const configured =
      keyed ||
      (spec.local === true &&
        (spec.id !== 'ollama' || override !== undefined || !!resolveKey('OLLAMA_HOST')));
    if (!configured) {
      unconfigured.push({
        id: spec.id,
        label: spec.label,
        env: spec.env.length ? spec.env : ['[worker] base_urls'],
      });
      continue;
    }
    let baseUrl =
      override ??
      (spec.id === 'ollama' && resolveKey('OLLAMA_HOST')
        ? `${resolveKey('OLLAMA_HOST')}/v1`
        : spec.defaultBaseUrl);
    baseUrl = baseUrl.replace('{account}', credentials.CLOUDFLARE_ACCOUNT_ID ?? '');
    const ids = [...spec.models];
    for (const e of extra) {
      if (e.provider === spec.id && !ids.some((x) => x.id === e.model))
        ids.push({ id: e.model, quality: 3, tasks: [...taskTypes] });
    }
    const models = ids.map((ms): CatalogModel => {
      const ref = `${spec.id}/${ms.id}`;
      const price = prices.get(ref);
      return {
        provider: spec.id,
        model: ms.id,
        ref,
        quality: ms.quality,
        tasks: ms.tasks,
        price: price ?? { input: 0, output: 0 },
        priced: price !== undefined,
      };
    });
    providers.push({ spec, baseUrl: baseUrl.replace(/\/+$/, ''), credentials, models });
  }
  const models = providers.flatMap((p) => p.models);
  const byRef = new Map(models.map((x) => [x.ref, x]));
  const byId = new Map(providers.map((p) => [p.spec.id, p]));
  return {
    providers,
    unconfigured,
    models,
    prices,
    provider: (id) => byId.get(id),
    model: (ref) => byRef.get(ref),
  };
}
