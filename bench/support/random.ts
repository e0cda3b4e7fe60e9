/**
 * Seeded randomness for synthetic data: every run with the same seed produces the same corpus and
 * the same queries, so figures from two runs (or two machines) measure the same work.
 */

export { seededRandom } from '../../src/core/random.js';

/** An integer in [min, max], both ends included. */
export const randomInt = (rand: () => number, min: number, max: number): number =>
  min + Math.floor(rand() * (max - min + 1));

/**
 * Draws ranks 0..n-1 with P(rank k) ∝ 1 / (k + 1)^s: the shape of word frequencies in natural
 * text. Inverse-CDF sampling with a binary search: O(log n) per draw, no rejection loop.
 */
export function zipfSampler(n: number, s: number, rand: () => number): () => number {
  const cdf = new Float64Array(n);
  let total = 0;
  for (let k = 0; k < n; k++) {
    total += 1 / (k + 1) ** s;
    cdf[k] = total;
  }
  for (let k = 0; k < n; k++) cdf[k] = cdf[k]! / total;
  return () => {
    const u = rand();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (cdf[mid]! < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

/** A deterministic Fisher-Yates shuffle (a copy). */
export function shuffled<T>(items: readonly T[], rand: () => number): T[] {
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
