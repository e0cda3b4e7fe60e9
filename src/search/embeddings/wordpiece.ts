import { z } from 'zod';
import { HelixError } from '../../core/errors.js';

/**
 * BERT's tokenizer: the "basic" pass (clean, lower-case, strip accents, split on whitespace,
 * punctuation and CJK ideographs) then greedy longest-match WordPiece over the model's vocabulary,
 * wrapped in [CLS] … [SEP]. Enough for bge-small / all-MiniLM (uncased WordPiece models); it reads
 * the HuggingFace `tokenizer.json` those models ship, or a plain `vocab.txt`.
 */
export interface WordPieceOptions {
  lowercase?: boolean;
  /** default: same as `lowercase`, as in BERT */
  stripAccents?: boolean;
  unkToken?: string;
  prefix?: string;
  maxCharsPerWord?: number;
  cls?: string;
  sep?: string;
  pad?: string;
}

const isControl = (c: number) =>
  c !== 0x09 && c !== 0x0a && c !== 0x0d && (c < 0x20 || (c >= 0x7f && c < 0xa0) || c === 0xfffd);
const isWhitespace = (ch: string) => /\s/u.test(ch);
const isPunctuation = (ch: string, c: number) =>
  (c >= 33 && c <= 47) ||
  (c >= 58 && c <= 64) ||
  (c >= 91 && c <= 96) ||
  (c >= 123 && c <= 126) ||
  /\p{P}/u.test(ch);
// the CJK Unicode blocks BERT tokenizes one character at a time
const isCjk = (c: number) =>
  (c >= 0x4e00 && c <= 0x9fff) ||
  (c >= 0x3400 && c <= 0x4dbf) ||
  (c >= 0x20000 && c <= 0x2a6df) ||
  (c >= 0x2a700 && c <= 0x2ceaf) ||
  (c >= 0xf900 && c <= 0xfaff) ||
  (c >= 0x2f800 && c <= 0x2fa1f);

export class WordPieceTokenizer {
  readonly clsId: number;
  readonly sepId: number;
  readonly padId: number;
  readonly unkId: number;
  private readonly lowercase: boolean;
  private readonly stripAccents: boolean;
  private readonly prefix: string;
  private readonly maxCharsPerWord: number;

  constructor(
    private readonly vocab: ReadonlyMap<string, number>,
    o: WordPieceOptions = {},
  ) {
    this.lowercase = o.lowercase ?? true;
    this.stripAccents = o.stripAccents ?? this.lowercase;
    this.prefix = o.prefix ?? '##';
    this.maxCharsPerWord = o.maxCharsPerWord ?? 100;
    const id = (token: string) => {
      const v = vocab.get(token);
      if (v === undefined)
        throw new HelixError('validation_error', `tokenizer vocabulary has no ${token} token`);
      return v;
    };
    this.unkId = id(o.unkToken ?? '[UNK]');
    this.clsId = id(o.cls ?? '[CLS]');
    this.sepId = id(o.sep ?? '[SEP]');
    this.padId = vocab.get(o.pad ?? '[PAD]') ?? 0;
  }

  /** The basic pass: words and single punctuation marks, normalized. */
  basicTokens(text: string): string[] {
    let s = '';
    for (const ch of text) {
      const c = ch.codePointAt(0)!;
      if (c === 0 || isControl(c)) continue;
      s += isWhitespace(ch) ? ' ' : isCjk(c) ? ` ${ch} ` : ch;
    }
    if (this.lowercase) s = s.toLowerCase();
    if (this.stripAccents) s = s.normalize('NFD').replace(/\p{Mn}/gu, '');
    const out: string[] = [];
    for (const word of s.split(' ')) {
      let cur = '';
      for (const ch of word) {
        if (isPunctuation(ch, ch.codePointAt(0)!)) {
          if (cur) out.push(cur);
          out.push(ch);
          cur = '';
        } else cur += ch;
      }
      if (cur) out.push(cur);
    }
    return out;
  }

  /** Greedy longest-match-first; a word with any unmatchable rest becomes one [UNK], as in BERT. */
  private wordPieces(word: string, into: number[]): void {
    const chars = [...word];
    if (chars.length > this.maxCharsPerWord) {
      into.push(this.unkId);
      return;
    }
    const pieces: number[] = [];
    for (let start = 0; start < chars.length; ) {
      let end = chars.length;
      let found: number | undefined;
      for (; end > start; end--) {
        const sub = (start > 0 ? this.prefix : '') + chars.slice(start, end).join('');
        found = this.vocab.get(sub);
        if (found !== undefined) break;
      }
      if (found === undefined) {
        into.push(this.unkId);
        return;
      }
      pieces.push(found);
      start = end;
    }
    into.push(...pieces);
  }

  /** Ids for `text`: [CLS] pieces… [SEP], truncated so the whole fits in `maxLength`. */
  encode(text: string, maxLength = 512): number[] {
    const ids: number[] = [this.clsId];
    const room = Math.max(0, maxLength - 2) + 1;
    for (const word of this.basicTokens(text)) {
      this.wordPieces(word, ids);
      if (ids.length >= room) break;
    }
    ids.length = Math.min(ids.length, room);
    ids.push(this.sepId);
    return ids;
  }
}

const tokenizerJsonSchema = z.object({
  model: z.object({
    type: z.literal('WordPiece').optional(),
    vocab: z.record(z.string(), z.number().int().nonnegative()),
    unk_token: z.string().optional(),
    continuing_subword_prefix: z.string().optional(),
    max_input_chars_per_word: z.number().int().positive().optional(),
  }),
  normalizer: z
    .object({ lowercase: z.boolean().optional(), strip_accents: z.boolean().nullable().optional() })
    .nullable()
    .optional(),
});

/** From the text of a HuggingFace `tokenizer.json`. */
export function tokenizerFromJson(text: string): WordPieceTokenizer {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new HelixError('validation_error', 'tokenizer.json is not valid JSON', { field: 'tokenizer.json' });
  }
  const parsed = tokenizerJsonSchema.safeParse(raw);
  if (!parsed.success)
    throw new HelixError(
      'validation_error',
      'tokenizer.json: expected a WordPiece model with a vocab object',
      {
        field: 'tokenizer.json',
        issues: parsed.error.issues.slice(0, 3).map((i) => `${i.path.join('.')}: ${i.message}`),
      },
    );
  const { model: m, normalizer: n } = parsed.data;
  return new WordPieceTokenizer(new Map(Object.entries(m.vocab)), {
    ...(n?.lowercase !== undefined ? { lowercase: n.lowercase } : {}),
    ...(typeof n?.strip_accents === 'boolean' ? { stripAccents: n.strip_accents } : {}),
    ...(m.unk_token ? { unkToken: m.unk_token } : {}),
    ...(m.continuing_subword_prefix ? { prefix: m.continuing_subword_prefix } : {}),
    ...(m.max_input_chars_per_word ? { maxCharsPerWord: m.max_input_chars_per_word } : {}),
  });
}

/** From a BERT `vocab.txt` (one token per line, id = line number). */
export function tokenizerFromVocabTxt(text: string, options: WordPieceOptions = {}): WordPieceTokenizer {
  const vocab = new Map<string, number>();
  text.split(/\r?\n/).forEach((t, i) => {
    if (t && !vocab.has(t)) vocab.set(t, i);
  });
  return new WordPieceTokenizer(vocab, options);
}
