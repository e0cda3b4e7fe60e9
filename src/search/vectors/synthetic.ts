import { seededRandom } from '../../core/random.js';

/**
 * Clustered synthetic vectors for tests and `bench/vectors.ts`. Uniform random vectors are the
 * worst case for any ANN index and nothing like embeddings; GloVe averages and sentence models
 * share a common direction (frequent words, the model's bias) and gather around topics. So each
 * vector is 0.6·mean + a topic centre + noise, L2-normalized, as the embedding port returns them.
 * Queries share the centres but draw their own noise: near the data, never in it.
 */

const seeded = seededRandom;

/** Box–Muller: one standard normal draw. */
const gaussian = (rand: () => number) =>
  Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());

export interface ClusteredVectors {
  /** the next data vector */
  next(): Float32Array;
  /** a query vector from a separate stream: same topics, different noise */
  query(): Float32Array;
}

export function clusteredVectors(options: {
  dimensions: number;
  clusters: number;
  seed: number;
  /** noise relative to a centre; 0.7 leaves clusters overlapping, as topics do */
  noise?: number;
}): ClusteredVectors {
  const { dimensions: d, clusters, seed, noise = 0.7 } = options;
  const shape = seeded(seed);
  const mean = Float32Array.from({ length: d }, () => gaussian(shape));
  const centres = Array.from({ length: clusters }, () =>
    Float32Array.from({ length: d }, () => gaussian(shape)),
  );
  const draw = (rand: () => number) => {
    const c = centres[Math.floor(rand() * clusters)]!;
    const v = new Float32Array(d);
    let sum = 0;
    for (let i = 0; i < d; i++) {
      const x = 0.6 * mean[i]! + c[i]! + noise * gaussian(rand);
      v[i] = x;
      sum += x * x;
    }
    const inv = 1 / Math.sqrt(sum);
    for (let i = 0; i < d; i++) v[i] = v[i]! * inv;
    return v;
  };
  const data = seeded(seed + 1);
  const queries = seeded(seed + 2);
  return { next: () => draw(data), query: () => draw(queries) };
}

/** |a ∩ b| / |b|: the share of the exact top-k that the approximate answer found. */
export function recallAt(approx: readonly string[], exact: readonly string[]): number {
  if (exact.length === 0) return 1;
  const found = new Set(approx);
  return exact.filter((id) => found.has(id)).length / exact.length;
}
