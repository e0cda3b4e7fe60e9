import { existsSync, statSync } from 'node:fs';
import { GLOVE_MODEL, GLOVE_PACKAGE, gloveTablePath, winkJsonPath } from './glove-convert.js';
import { readGloveHeader } from './glove-table.js';
import { HASH_MODEL } from './hash.js';
import { type InstalledModel, findModelFiles, listInstalledModels } from './model-files.js';
import type { ProviderName } from './provider.js';
import type { EmbeddingSettings } from './select.js';

export interface EmbeddingStatus {
  configured: { provider: ProviderName; model: string; dimensions: number; base_url: string | null };
  /** what `selectEmbeddingProvider` will pick, predicted from the files alone (nothing is loaded or built) */
  expected: { provider: ProviderName; model: string; reason: string | null };
  models_dir: string;
  models: InstalledModel[];
  glove: {
    path: string;
    built: boolean;
    bytes: number | null;
    words: number | null;
    dimensions: number | null;
    package_installed: boolean;
    package_bytes: number | null;
  };
}

/**
 * A side-effect-free picture of the embedding setup for `hx models status` and diagnostics: which
 * provider is configured, which one will serve and why, what lies in `models/`.
 */
export function embeddingStatus(embedding: EmbeddingSettings, modelsDir: string): EmbeddingStatus {
  const tablePath = gloveTablePath(modelsDir);
  const header = readGloveHeader(tablePath);
  const source = winkJsonPath();
  const glove: EmbeddingStatus['glove'] = {
    path: tablePath,
    built: header !== undefined,
    bytes: header?.bytes ?? (existsSync(tablePath) ? statSync(tablePath).size : null),
    words: header?.size ?? null,
    dimensions: header?.dimensions ?? null,
    package_installed: source !== undefined,
    package_bytes: source ? statSync(source).size : null,
  };
  const offline = (why: string | null): EmbeddingStatus['expected'] =>
    glove.built || glove.package_installed
      ? {
          provider: 'glove',
          model: GLOVE_MODEL,
          reason:
            [why, glove.built ? null : 'the GloVe table will be built on first use']
              .filter(Boolean)
              .join('; ') || null,
        }
      : {
          provider: 'hash',
          model: HASH_MODEL,
          reason: [why, `no GloVe table and the ${GLOVE_PACKAGE} package is not installed`]
            .filter(Boolean)
            .join('; '),
        };

  let expected: EmbeddingStatus['expected'];
  if (embedding.provider === 'hash') expected = { provider: 'hash', model: HASH_MODEL, reason: null };
  else if (embedding.provider === 'openai')
    expected = { provider: 'openai', model: embedding.model, reason: null };
  else if (embedding.provider === 'glove') expected = offline(null);
  else {
    const found = findModelFiles(modelsDir, embedding.model);
    expected = found.ok
      ? { provider: 'local_fastembed', model: embedding.model, reason: null }
      : offline(
          `model ${embedding.model} not found (${found.missing.join(', ')} missing): hx models import DIR`,
        );
  }
  return {
    configured: {
      provider: embedding.provider,
      model: embedding.model,
      dimensions: embedding.dimensions,
      base_url: embedding.base_url || null,
    },
    expected,
    models_dir: modelsDir,
    models: listInstalledModels(modelsDir),
    glove,
  };
}
