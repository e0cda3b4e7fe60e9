import { invalid } from '../../core/errors.js';
import { type EmbeddingProvider, l2normalize, providerId } from './provider.js';
import { contentTokens, fnv1a } from './tokenize.js';

export const HASH_MODEL = 'fnv1a-ngram';
const BIGRAM_WEIGHT = 0.5;

/** murmur3's finalizer: FNV-1a's low bits are uneven for similar strings (w1, w2, …); mixing evens them. */
const mix = (h: number) => {
  let x = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
};

/**
 * Adds one hashed feature: a bucket from the hash and a sign from independent bits, so collisions
 * cancel out on average instead of piling up (the "hashing trick", Weinberger et al. 2009).
 */
function addFeature(v: Float32Array, h: number, weight: number) {
  const m = mix(h);
  const i = m % v.length;
  v[i] = v[i]! + (m >>> 31 === 0 ? weight : -weight);
}

/**
 * Word unigrams and bigrams hashed into `dimensions` signed buckets. It knows no meaning, only
 * shared words and phrases, so it is the last resort: deterministic, dependency-free, offline.
 */
export function hashEmbed(text: string, dimensions: number): Float32Array {
  const v = new Float32Array(dimensions);
  let prev = -1;
  for (const token of contentTokens(text)) {
    const h = fnv1a(token);
    addFeature(v, h, 1);
    // FNV is sequential, so continuing from `prev` hashes the string "prev token" without building it
    if (prev >= 0) addFeature(v, fnv1a(token, fnv1a(' ', prev)), BIGRAM_WEIGHT);
    prev = h;
  }
  return l2normalize(v);
}

export class HashEmbedder implements EmbeddingProvider {
  readonly provider = 'hash' as const;
  readonly model = HASH_MODEL;
  readonly id: string;

  constructor(readonly dimensions = 256) {
    if (!Number.isInteger(dimensions) || dimensions < 1) throw invalid('embedding.dimensions', 'must be ≥ 1');
    this.id = providerId('hash', HASH_MODEL, dimensions);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => hashEmbed(t, this.dimensions));
  }
}
