/**
 * An in-memory copy of one vector table, scored exactly by cosine. At 10k × 384 LanceDB took
 * 10.6 ms p50 for 100 neighbours through its HNSW index and 53 ms by flat scan, most of it spent
 * outside the arithmetic (query planning, Arrow batches, thread hand-offs); the same exact scan in
 * JS costs rows × (non-zero query dimensions) multiply-adds. Vectors are stored dimension-major in
 * blocks, so a query only walks the dimensions it uses: a hashed 3-word query touches ~5 of 384.
 */

/** Rows per block: appends fill the last block, so the layout never has to be rebuilt. */
const BLOCK = 4096;

export interface MemoryHit {
  node_id: string;
  score: number;
}

export interface MemorySearch {
  k: number;
  namespaces?: readonly string[];
  nodeIds?: readonly string[];
}

export class MemoryVectors {
  private blocks: Float32Array[] = [];
  /** 1 / |v| per slot; 0 marks a free slot or a zero vector (no cosine, never returned) */
  private invNorm = new Float32Array(0);
  private ids: (string | null)[] = [];
  private nsOf = new Uint16Array(0);
  private readonly nsIds = new Map<string, number>();
  private readonly slotOf = new Map<string, number>();
  private free: number[] = [];

  constructor(readonly dimensions: number) {}

  get size(): number {
    return this.slotOf.size;
  }

  /** Insert or replace by node id. */
  set(nodeId: string, namespace: string, vector: ArrayLike<number>): void {
    let slot = this.slotOf.get(nodeId);
    if (slot === undefined) {
      slot = this.free.pop() ?? this.ids.length;
      if (slot === this.ids.length) this.grow();
      this.slotOf.set(nodeId, slot);
      this.ids[slot] = nodeId;
    }
    let ns = this.nsIds.get(namespace);
    if (ns === undefined) {
      ns = this.nsIds.size;
      this.nsIds.set(namespace, ns);
    }
    this.nsOf[slot] = ns;
    const d = this.dimensions;
    const block = this.blocks[Math.floor(slot / BLOCK)]!;
    const at = slot % BLOCK;
    let norm = 0;
    for (let j = 0; j < d; j++) {
      const x = vector[j]!;
      block[j * BLOCK + at] = x;
      norm += x * x;
    }
    this.invNorm[slot] = norm > 0 ? 1 / Math.sqrt(norm) : 0;
  }

  delete(nodeId: string): void {
    const slot = this.slotOf.get(nodeId);
    if (slot === undefined) return;
    this.slotOf.delete(nodeId);
    this.ids[slot] = null;
    this.invNorm[slot] = 0;
    this.free.push(slot);
  }

  /** Multiply-adds a search for this query vector costs: what the caller weighs against the ANN index. */
  cost(query: ArrayLike<number>, nodeIds?: readonly string[]): number {
    let nonZero = 0;
    for (let j = 0; j < query.length; j++) if (query[j] !== 0) nonZero++;
    return (nodeIds ? Math.min(nodeIds.length, this.ids.length) : this.ids.length) * nonZero;
  }

  /** The k most similar by cosine, best first; filters apply before the limit, as LanceDB's prefilter. */
  search(query: ArrayLike<number>, options: MemorySearch): MemoryHit[] {
    const dims: number[] = [];
    const weights: number[] = [];
    let qNorm = 0;
    for (let j = 0; j < this.dimensions; j++) {
      const x = query[j]!;
      if (x === 0) continue;
      dims.push(j);
      weights.push(x);
      qNorm += x * x;
    }
    if (qNorm === 0 || options.k < 1) return [];
    const scale = 1 / Math.sqrt(qNorm);
    const allowNs = options.namespaces ? this.namespaceMask(options.namespaces) : null;
    if (allowNs && !allowNs.includes(true)) return [];
    const top = new TopK(options.k);
    if (options.nodeIds) {
      for (const id of new Set(options.nodeIds)) {
        const slot = this.slotOf.get(id);
        if (slot === undefined || (allowNs && !allowNs[this.nsOf[slot]!])) continue;
        const inv = this.invNorm[slot]!;
        if (inv === 0) continue;
        const block = this.blocks[Math.floor(slot / BLOCK)]!;
        const at = slot % BLOCK;
        let dot = 0;
        for (let i = 0; i < dims.length; i++) dot += weights[i]! * block[dims[i]! * BLOCK + at]!;
        top.offer(slot, dot * inv * scale);
      }
    } else {
      const acc = new Float64Array(BLOCK);
      for (let b = 0; b < this.blocks.length; b++) {
        const block = this.blocks[b]!;
        const base = b * BLOCK;
        const n = Math.min(BLOCK, this.ids.length - base);
        acc.fill(0, 0, n);
        for (let i = 0; i < dims.length; i++) {
          const w = weights[i]!;
          const off = dims[i]! * BLOCK;
          for (let r = 0; r < n; r++) acc[r]! += w * block[off + r]!;
        }
        for (let r = 0; r < n; r++) {
          const inv = this.invNorm[base + r]!;
          if (inv === 0 || (allowNs && !allowNs[this.nsOf[base + r]!])) continue;
          top.offer(base + r, acc[r]! * inv * scale);
        }
      }
    }
    return top.sorted().map(({ slot, score }) => ({ node_id: this.ids[slot]!, score }));
  }

  private namespaceMask(namespaces: readonly string[]): boolean[] {
    const mask = new Array<boolean>(this.nsIds.size).fill(false);
    for (const ns of namespaces) {
      const id = this.nsIds.get(ns);
      if (id !== undefined) mask[id] = true;
    }
    return mask;
  }

  private grow(): void {
    const slots = this.ids.length;
    if (slots % BLOCK === 0) this.blocks.push(new Float32Array(this.dimensions * BLOCK));
    this.ids.push(null);
    if (slots >= this.invNorm.length) {
      const cap = Math.max(BLOCK, this.invNorm.length * 2);
      const inv = new Float32Array(cap);
      inv.set(this.invNorm);
      this.invNorm = inv;
      const ns = new Uint16Array(cap);
      ns.set(this.nsOf);
      this.nsOf = ns;
    }
  }
}

/** Keeps the k best of a stream in a min-heap: O(n log k), no sort of all n scores. */
class TopK {
  private slots: number[] = [];
  private scores: number[] = [];

  constructor(private readonly k: number) {}

  offer(slot: number, score: number): void {
    if (Number.isNaN(score)) return; // LanceDB drops non-finite distances too
    const s = this.scores;
    if (s.length < this.k) {
      s.push(score);
      this.slots.push(slot);
      this.up(s.length - 1);
    } else if (score > s[0]!) {
      s[0] = score;
      this.slots[0] = slot;
      this.down(0);
    }
  }

  sorted(): { slot: number; score: number }[] {
    return this.scores.map((score, i) => ({ slot: this.slots[i]!, score })).sort((a, b) => b.score - a.score);
  }

  private swap(i: number, j: number) {
    [this.scores[i], this.scores[j]] = [this.scores[j]!, this.scores[i]!];
    [this.slots[i], this.slots[j]] = [this.slots[j]!, this.slots[i]!];
  }

  private up(i: number) {
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (this.scores[p]! <= this.scores[i]!) return;
      this.swap(i, p);
      i = p;
    }
  }

  private down(i: number) {
    const n = this.scores.length;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.scores[l]! < this.scores[m]!) m = l;
      if (r < n && this.scores[r]! < this.scores[m]!) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}
