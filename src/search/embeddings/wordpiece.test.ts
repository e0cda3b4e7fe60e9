import { describe, expect, it } from 'vitest';
import { tinyTokenizerJson } from '../../testing/onnx-fixture.js';
import { WordPieceTokenizer, tokenizerFromJson, tokenizerFromVocabTxt } from './wordpiece.js';

const VOCAB = [
  '[PAD]',
  '[UNK]',
  '[CLS]',
  '[SEP]',
  'un',
  '##aff',
  '##able',
  'hello',
  'world',
  '!',
  ',',
  'cafe',
  '中',
  '国',
  'a',
  '##b',
];
const tok = tokenizerFromJson(tinyTokenizerJson(VOCAB));
const id = (t: string) => VOCAB.indexOf(t);

describe('WordPiece tokenizer (BERT uncased)', () => {
  it('splits the way BERT does: lower case, punctuation alone, greedy longest-match pieces', () => {
    expect(tok.basicTokens('Hello, WORLD!')).toEqual(['hello', ',', 'world', '!']);
    expect(tok.encode('UNaffable')).toEqual([id('[CLS]'), id('un'), id('##aff'), id('##able'), id('[SEP]')]);
  });

  it('strips accents, drops control characters and splits CJK ideographs', () => {
    expect(tok.basicTokens('Café\u0000\u0007 中国')).toEqual(['cafe', '中', '国']);
    expect(tok.encode('café')).toEqual([id('[CLS]'), id('cafe'), id('[SEP]')]);
  });

  it('maps a word with any unmatched rest to a single [UNK]', () => {
    expect(tok.encode('unaffablez hello')).toEqual([id('[CLS]'), id('[UNK]'), id('hello'), id('[SEP]')]);
    expect(tok.encode('abb')).toEqual([id('[CLS]'), id('a'), id('##b'), id('##b'), id('[SEP]')]);
  });

  it('truncates to maxLength including [CLS] and [SEP]', () => {
    const ids = tok.encode('hello world hello world hello world', 5);
    expect(ids).toEqual([id('[CLS]'), id('hello'), id('world'), id('hello'), id('[SEP]')]);
    expect(tok.encode('', 5)).toEqual([id('[CLS]'), id('[SEP]')]);
  });

  it('keeps case when the normalizer says so', () => {
    const cased = tokenizerFromJson(tinyTokenizerJson([...VOCAB, 'Hello'], { lowercase: false }));
    expect(cased.encode('Hello')).toEqual([id('[CLS]'), VOCAB.length, id('[SEP]')]);
  });

  it('reads a vocab.txt and rejects a tokenizer.json that is not WordPiece', () => {
    const t = tokenizerFromVocabTxt(VOCAB.join('\n'));
    expect(t.encode('hello')).toEqual(tok.encode('hello'));
    expect(() =>
      tokenizerFromJson(JSON.stringify({ model: { type: 'BPE', vocab: {}, merges: [] } })),
    ).toThrow(/WordPiece/);
    expect(() => tokenizerFromJson('{')).toThrow(/not valid JSON/);
    expect(() => new WordPieceTokenizer(new Map([['a', 0]]))).toThrow(/\[UNK\]/);
  });
});
