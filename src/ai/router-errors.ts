import { HelixError } from '../core/errors.js';
import type { Catalog } from './catalog.js';

/** No provider at all: say how to configure one. */
export function noProvider(catalog: Catalog): HelixError {
  const hint = catalog.unconfigured.slice(0, 6).map((p) => `${p.id}: ${p.env.join(' + ')}`);
  return new HelixError(
    'unavailable',
    'no LLM provider is configured: set a provider key (e.g. OPENAI_API_KEY or ANTHROPIC_API_KEY), a local Ollama ([worker] base_urls = ["ollama=http://localhost:11434/v1"]) or [llm] enabled',
    { configure: hint },
  );
}

/** A provider named explicitly that is unknown or lacks its key. */
export function notConfigured(catalog: Catalog, provider: string): HelixError {
  const u = catalog.unconfigured.find((p) => p.id === provider);
  return new HelixError(
    'validation_error',
    u
      ? `provider: ${provider} is not configured (set ${u.env.join(' and ')})`
      : `provider: unknown provider ${provider}`,
    { field: 'provider' },
  );
}
