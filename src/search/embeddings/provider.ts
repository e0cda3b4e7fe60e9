/**
 * The embedding port. Everything that turns text into vectors (a local ONNX model, GloVe word
 * vectors, an OpenAI-compatible endpoint, feature hashing) hides behind this one interface, so the
 * vector store, recall and tests never care which one is configured.
 */
export const providerNames = ['local_fastembed', 'glove', 'openai', 'hash'] as const;
export type ProviderName = (typeof providerNames)[number];

export interface EmbeddingProvider {
  /**
   * `provider:model:dimensions`, e.g. `glove:sg-100d:100`. Vectors are stored per id (one LanceDB
   * table each), so switching models never mixes vectors of different spaces or sizes.
   */
  readonly id: string;
  readonly provider: ProviderName;
  readonly model: string;
  readonly dimensions: number;
  /**
   * One vector per text, in order, each of length `dimensions` and L2-normalized (so a dot product
   * is the cosine). A text with nothing embeddable (empty, only unknown words) gets the zero vector:
   * it matches nothing rather than everything.
   */
  embed(texts: string[]): Promise<Float32Array[]>;
  /** Release native resources (an ONNX session); optional because most providers hold none. */
  close?(): Promise<void>;
}

/**
 * Inverse document frequency of a (lower-cased) word, from the user's own vault when the caller
 * can compute it (SQLite's fts5vocab). `undefined` means "no opinion": the embedder then uses its
 * own fallback. Terms are asked for as the embedder tokenizes them (lower case, unstemmed); a
 * source over a stemmed index must stem before looking up.
 */
export interface IdfSource {
  idf(term: string): number | undefined;
}

export const providerId = (provider: ProviderName, model: string, dimensions: number) =>
  `${provider}:${model}:${dimensions}`;

/** Scales `v` in place to unit length; the zero vector stays zero (there is no direction to keep). */
export function l2normalize(v: Float32Array): Float32Array {
  let sum = 0;
  for (let i = 0; i < v.length; i++) sum += v[i]! * v[i]!;
  if (sum === 0 || !Number.isFinite(sum)) {
    if (!Number.isFinite(sum)) v.fill(0);
    return v;
  }
  const inv = 1 / Math.sqrt(sum);
  for (let i = 0; i < v.length; i++) v[i] = v[i]! * inv;
  return v;
}

/** Dot product; equal to the cosine for vectors this port returns. */
export function dot(a: Float32Array, b: Float32Array): number {
  const n = Math.min(a.length, b.length);
  let s = 0;
  for (let i = 0; i < n; i++) s += a[i]! * b[i]!;
  return s;
}
