import type { ProviderName } from '../embeddings/provider.js';

/** What recall needs from the vector side; `null` when no vectors can be used right now. */
export interface VectorSignal {
  /** provider id of the active embedding space */
  embedder: string;
  provider: ProviderName;
  search(
    text: string,
    options: { k: number; namespaces?: string[]; nodeIds?: string[] },
  ): Promise<{ id: string; score: number }[]>;
}

export interface VectorAvailability {
  signal: VectorSignal | null;
  /** why vectors are left out (filling after a model switch, store unavailable) */
  notice?: string;
}

/**
 * Fusion weights per embedder (`[search] fusion_weights = "auto"`). Measured on Cranfield, CISI and
 * ADI (docs/benchmarks.md): word-vector averages and hashing are far weaker than BM25 and only help
 * as a light nudge; a sentence model (bge-small, OpenAI) earns the reference's 0.6 / 0.4.
 */
export const autoWeights: Record<ProviderName, { vector: number; fulltext: number }> = {
  local_fastembed: { vector: 0.6, fulltext: 0.4 },
  openai: { vector: 0.6, fulltext: 0.4 },
  glove: { vector: 0.15, fulltext: 0.85 },
  hash: { vector: 0.1, fulltext: 0.9 },
};
