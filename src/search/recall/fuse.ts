/** Rank fusion of several ranked lists into one (pure; the recall service feeds it). */
export interface Ranked {
  id: string;
  score: number;
}

export interface SignalExplain {
  rank: number;
  score: number;
}

export interface Fused {
  id: string;
  score: number;
  signals: Record<string, SignalExplain>;
}

export interface FuseOptions {
  mode: 'rrf' | 'weighted';
  /** weight per signal name */
  weights: Record<string, number>;
  /** RRF's k (60 in the original paper and in the reference) */
  k?: number;
}

/**
 * RRF sums weight / (k + rank); weighted sums weight × score, each list's scores scaled to
 * 0..1 by its best (BM25 is unbounded; cosine is not comparable to it raw).
 */
export function fuse(lists: Record<string, Ranked[]>, options: FuseOptions): Fused[] {
  const k = options.k ?? 60;
  const out = new Map<string, Fused>();
  for (const [signal, list] of Object.entries(lists)) {
    const weight = options.weights[signal] ?? 0;
    const best = Math.max(...list.map((r) => r.score), Number.MIN_VALUE);
    list.forEach((r, i) => {
      const entry = out.get(r.id) ?? { id: r.id, score: 0, signals: {} };
      entry.signals[signal] = { rank: i + 1, score: r.score };
      entry.score += options.mode === 'rrf' ? weight / (k + i + 1) : (weight * Math.max(r.score, 0)) / best;
      out.set(r.id, entry);
    });
  }
  return [...out.values()].sort((a, b) => b.score - a.score || (a.id < b.id ? -1 : 1));
}
