/** Standard IR metrics over one ranked list; `qrels` maps doc id → graded relevance (> 0 relevant). */
export type Qrels = Map<string, number>;

const dcg = (gains: number[]) => gains.reduce((sum, g, i) => sum + (2 ** g - 1) / Math.log2(i + 2), 0);

/** nDCG@k; `binary` treats every relevant document as gain 1 (the published Cranfield figure). */
export function ndcg(ranked: string[], qrels: Qrels, k: number, binary = false): number {
  const gain = (id: string) => {
    const g = qrels.get(id) ?? 0;
    return binary ? (g > 0 ? 1 : 0) : g;
  };
  const ideal = [...qrels.values()]
    .map((g) => (binary ? (g > 0 ? 1 : 0) : g))
    .sort((a, b) => b - a)
    .slice(0, k);
  const best = dcg(ideal);
  return best === 0 ? 0 : dcg(ranked.slice(0, k).map(gain)) / best;
}

export function precisionAt(ranked: string[], qrels: Qrels, k: number): number {
  return ranked.slice(0, k).filter((id) => (qrels.get(id) ?? 0) > 0).length / k;
}

export function recallAt(ranked: string[], qrels: Qrels, k: number): number {
  const relevant = [...qrels.values()].filter((g) => g > 0).length;
  return relevant === 0 ? 0 : ranked.slice(0, k).filter((id) => (qrels.get(id) ?? 0) > 0).length / relevant;
}

/** Average precision over the ranked list given (truncated lists count missing relevant docs as 0). */
export function averagePrecision(ranked: string[], qrels: Qrels): number {
  const relevant = [...qrels.values()].filter((g) => g > 0).length;
  if (relevant === 0) return 0;
  let hits = 0;
  let sum = 0;
  ranked.forEach((id, i) => {
    if ((qrels.get(id) ?? 0) > 0) {
      hits++;
      sum += hits / (i + 1);
    }
  });
  return sum / relevant;
}

export interface Scores {
  ndcg10: number;
  ndcg20: number;
  ndcg20Binary: number;
  map: number;
  p10: number;
  recall100: number;
}

export function scoreRun(runs: Map<string, string[]>, qrels: Map<string, Qrels>): Scores {
  const totals: Scores = { ndcg10: 0, ndcg20: 0, ndcg20Binary: 0, map: 0, p10: 0, recall100: 0 };
  let n = 0;
  for (const [qid, q] of qrels) {
    const ranked = runs.get(qid) ?? [];
    totals.ndcg10 += ndcg(ranked, q, 10);
    totals.ndcg20 += ndcg(ranked, q, 20);
    totals.ndcg20Binary += ndcg(ranked, q, 20, true);
    totals.map += averagePrecision(ranked, q);
    totals.p10 += precisionAt(ranked, q, 10);
    totals.recall100 += recallAt(ranked, q, 100);
    n++;
  }
  for (const k of Object.keys(totals) as (keyof Scores)[]) totals[k] /= Math.max(n, 1);
  return totals;
}
