/**
 * Word tokens for the word-level embedders (glove, hash): lower case, split on anything that is
 * not a letter or a digit. The stop list is pinned here, not shared with full text, because a
 * change to it changes every stored vector; it is short on purpose, since IDF weighting already
 * mutes frequent words and only the emptiest function words need dropping outright.
 */
const NON_WORD = /[^\p{L}\p{N}]+/u;

export const embeddingStopWords: ReadonlySet<string> = new Set(
  `a an the and or but if of to in on at by for with from as into onto than then so
  is are was were be been being am do does did has have had having it its this that these those
  there here s t d ll m re ve`
    .split(/\s+/)
    .filter(Boolean),
);

/** All word tokens of `text`, lower-cased, in order. */
export function wordTokens(text: string): string[] {
  const out: string[] = [];
  for (const t of text.toLowerCase().split(NON_WORD)) if (t.length > 0) out.push(t);
  return out;
}

/** Word tokens without stop words: what the embedders actually weigh. */
export function contentTokens(text: string): string[] {
  return wordTokens(text).filter((t) => !embeddingStopWords.has(t));
}

/** Strips combining marks (é → e): the fallback spelling when an accented word is not in a vocabulary. */
export const stripAccents = (s: string) => s.normalize('NFD').replace(/\p{M}+/gu, '');

/**
 * 32-bit FNV-1a over UTF-16 code units. Not cryptographic; chosen because it is tiny, fast in JS
 * and stable across versions, which matters: the hash embedder's vectors and the GloVe table's
 * slots are both defined by it.
 */
export function fnv1a(s: string, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}
