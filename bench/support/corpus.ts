import { closeSync, openSync, writeSync } from 'node:fs';
import { stopwords } from '../../src/search/fulltext/stopwords.js';
import { randomInt, seededRandom, shuffled, zipfSampler } from './random.js';

/**
 * Synthetic notes for the benchmarks: a Zipf-distributed vocabulary whose head is the real English
 * stop words (so, as in English, about half of every text is function words and the search path
 * that drops them is exercised), followed by made-up pronounceable content words, shorter ones
 * more frequent. Each note has ≈200 words in sentences, a title of 2–6 content words and 0–3 tags.
 * Everything derives from one seed; the vocabulary depends only on the seed and its size, so a
 * bench that reuses a home built earlier draws its queries from the same words.
 */
export interface CorpusOptions {
  seed: number;
  /** distinct content words (stop words come on top) */
  vocabulary: number;
  /** Zipf exponent of word frequencies (1 ≈ natural text) */
  zipfS: number;
}

export const corpusOptionsFromEnv = (): CorpusOptions => ({
  seed: Number(process.env.BENCH_SEED ?? 42),
  vocabulary: Number(process.env.BENCH_VOCAB ?? 50_000),
  zipfS: Number(process.env.BENCH_ZIPF_S ?? 1),
});

export interface SyntheticNote {
  id: string;
  kind: string;
  title: string;
  content: string;
  tags: string[];
  importance: number;
  created_at: string;
}

// the most frequent English words first, then the rest of the stop-word list
const COMMON = [
  'the',
  'of',
  'and',
  'to',
  'a',
  'in',
  'is',
  'that',
  'for',
  'it',
  'as',
  'with',
  'was',
  'on',
  'be',
  'by',
];
const STOP_HEAD = [...new Set([...COMMON, ...[...stopwords].filter((w) => w.length > 1)])];

const ONSETS = [
  'b',
  'c',
  'd',
  'f',
  'g',
  'h',
  'j',
  'k',
  'l',
  'm',
  'n',
  'p',
  'r',
  's',
  't',
  'v',
  'w',
  'z',
  'br',
  'ch',
  'cl',
  'dr',
  'fl',
  'gr',
  'pl',
  'pr',
  'sh',
  'st',
  'th',
  'tr',
];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ea', 'io', 'ou'];
const CODAS = ['', '', '', 'n', 'r', 's', 'l', 'm', 'x', 'nd', 'st'];

export interface Vocabulary {
  /** every word by frequency rank: stop words, then content words */
  words: string[];
  /** content words only, by frequency rank */
  content: string[];
  tags: string[];
}

export function buildVocabulary(options: CorpusOptions): Vocabulary {
  const rand = seededRandom(options.seed ^ 0x5eed);
  const seen = new Set<string>(STOP_HEAD);
  const made: string[] = [];
  while (made.length < options.vocabulary) {
    const syllables = randomInt(rand, 1, 4);
    let w = '';
    for (let s = 0; s < syllables; s++)
      w += ONSETS[randomInt(rand, 0, ONSETS.length - 1)]! + VOWELS[randomInt(rand, 0, VOWELS.length - 1)]!;
    w += CODAS[randomInt(rand, 0, CODAS.length - 1)]!;
    if (w.length < 3 || seen.has(w)) continue;
    seen.add(w);
    made.push(w);
  }
  // Zipf's law of abbreviation: frequent words are short
  const content = shuffled(made, rand).sort((a, b) => a.length - b.length);
  const tags = shuffled(content.slice(0, 2000), rand).slice(0, 200);
  return { words: [...STOP_HEAD, ...content], content, tags };
}

const KINDS = [
  'fact',
  'fact',
  'fact',
  'fact',
  'observation',
  'decision',
  'procedure',
  'bookmark',
  'entity',
  'task',
];
const capital = (w: string) => w.charAt(0).toUpperCase() + w.slice(1);
const hex = (n: number, width: number) => n.toString(16).padStart(width, '0');

/** A UUIDv7 (time-ordered, like the ids Helix itself exports) from a millisecond time and the PRNG. */
function uuidV7(ms: number, rand: () => number): string {
  const r = () => Math.floor(rand() * 0x10000);
  const time = hex(ms, 12);
  return `${time.slice(0, 8)}-${time.slice(8, 12)}-7${hex(r() & 0xfff, 3)}-${hex(0x8000 | (r() & 0x3fff), 4)}-${hex(r(), 4)}${hex(r(), 4)}${hex(r(), 4)}`;
}

/** Yields `count` notes; the same options give the same notes. */
export function* syntheticNotes(
  count: number,
  options: CorpusOptions,
  vocab = buildVocabulary(options),
): Generator<SyntheticNote> {
  const rand = seededRandom(options.seed);
  const anyWord = zipfSampler(vocab.words.length, options.zipfS, rand);
  const contentWord = zipfSampler(vocab.content.length, options.zipfS, rand);
  const tagRank = zipfSampler(vocab.tags.length, options.zipfS, rand);
  const start = Date.parse('2024-01-01T00:00:00Z');
  for (let i = 0; i < count; i++) {
    const words = randomInt(rand, 150, 250);
    const sentences: string[] = [];
    for (let done = 0; done < words; ) {
      const len = Math.min(randomInt(rand, 6, 18), words - done);
      const s: string[] = [];
      for (let k = 0; k < len; k++) s.push(vocab.words[anyWord()]!);
      s[0] = capital(s[0]!);
      sentences.push(`${s.join(' ')}.`);
      done += len;
    }
    const title: string[] = [];
    for (let k = randomInt(rand, 2, 6); k > 0; k--) title.push(vocab.content[contentWord()]!);
    title[0] = capital(title[0]!);
    const tags = new Set<string>();
    for (let k = randomInt(rand, 0, 3); k > 0; k--) tags.add(vocab.tags[tagRank()]!);
    const ms = start + i * 60_000 + randomInt(rand, 0, 59_999);
    yield {
      id: uuidV7(ms, rand),
      kind: KINDS[randomInt(rand, 0, KINDS.length - 1)]!,
      title: title.join(' '),
      content: sentences.join(' '),
      tags: [...tags],
      importance: Math.round(rand() * 100) / 100,
      created_at: new Date(ms).toISOString(),
    };
  }
}

/** Search queries as people type them: 2–3 content words, Zipf-drawn (a separate stream). */
export function syntheticQueries(
  count: number,
  options: CorpusOptions,
  seedOffset = 1,
  vocab = buildVocabulary(options),
): string[] {
  const rand = seededRandom(options.seed + 7919 * seedOffset);
  const contentWord = zipfSampler(vocab.content.length, options.zipfS, rand);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const q = new Set<string>();
    const n = randomInt(rand, 2, 3);
    while (q.size < n) q.add(vocab.content[contentWord()]!);
    out.push([...q].join(' '));
  }
  return out;
}

export interface WrittenExport {
  nodes: number;
  bytes: number;
  /** the notes themselves when asked for (the raw-SQLite baseline inserts the same texts) */
  notes?: SyntheticNote[];
}

/** Writes `count` notes as a Helix export (JSON Lines, docs/export-format.md). */
export function writeExportFile(
  path: string,
  count: number,
  options: CorpusOptions,
  keep = false,
): WrittenExport {
  const fd = openSync(path, 'w');
  const kept: SyntheticNote[] = [];
  let bytes = 0;
  let chunk: string[] = [];
  const flush = () => {
    const text = chunk.join('');
    bytes += writeSync(fd, text);
    chunk = [];
  };
  try {
    chunk.push(
      `${JSON.stringify({ type: 'header', format: 'helix-export', format_version: 1, exported_at: new Date().toISOString() })}\n`,
    );
    for (const note of syntheticNotes(count, options)) {
      if (keep) kept.push(note);
      const { created_at, ...rest } = note;
      chunk.push(
        `${JSON.stringify({ type: 'node', ...rest, namespace: 'default', metadata: {}, created_at, updated_at: created_at })}\n`,
      );
      if (chunk.length >= 1000) flush();
    }
    flush();
  } finally {
    closeSync(fd);
  }
  return { nodes: count, bytes, ...(keep ? { notes: kept } : {}) };
}
