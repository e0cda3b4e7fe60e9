/**
 * Test support: a minimal ONNX (protobuf) writer for tiny embedding models, so the real
 * onnxruntime loading path runs in tests without downloading a model. The model is an embedding
 * table looked up by `input_ids` (a Gather), which is what a transformer's hidden states reduce to
 * with no layers: pooled vectors can then be checked against sums computed by hand.
 */

// protobuf wire format: key = field << 3 | wire type (0 varint, 2 length-delimited)
function varint(n: number): number[] {
  const out: number[] = [];
  let v = n;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

type Field = number[];
const num = (field: number, v: number): Field => [...varint(field << 3), ...varint(v)];
const bytes = (field: number, b: ArrayLike<number>): Field => [
  ...varint((field << 3) | 2),
  ...varint(b.length),
  ...Array.from(b),
];
const str = (field: number, s: string): Field => bytes(field, new TextEncoder().encode(s));
const msg = (field: number, ...parts: Field[]): Field => bytes(field, parts.flat());

const FLOAT = 1;
const INT64 = 7;

/** ValueInfoProto: a named tensor of `elemType` whose dims are numbers or symbolic names. */
const valueInfo = (field: number, name: string, elemType: number, dims: (number | string)[]) =>
  msg(
    field,
    str(1, name),
    msg(
      2,
      msg(
        1,
        num(1, elemType),
        msg(2, ...dims.map((d) => (typeof d === 'number' ? msg(1, num(1, d)) : msg(1, str(2, d))))),
      ),
    ),
  );

const node = (op: string, inputs: string[], outputs: string[], ...attributes: Field[]) =>
  msg(
    1,
    ...inputs.map((i) => str(1, i)),
    ...outputs.map((o) => str(2, o)),
    str(3, `${op}_0`),
    str(4, op),
    ...attributes,
  );

/** AttributeProto of type INTS (7) and INT (2). */
const intsAttr = (name: string, values: number[]) =>
  msg(5, str(1, name), num(20, 7), ...values.map((v) => num(8, v)));
const intAttr = (name: string, value: number) => msg(5, str(1, name), num(20, 2), num(3, value));

export interface TinyModelOptions {
  /** `vocabSize × dims` row-major embedding table */
  embedding: Float32Array;
  dims: number;
  /** the graph's declared inputs; `input_ids` is required, the others are accepted and unused */
  inputs?: ('input_ids' | 'attention_mask' | 'token_type_ids')[];
  /** `last_hidden_state` [batch, seq, dims], or an already pooled `sentence_embedding` [batch, dims] (mean over seq) */
  output?: 'last_hidden_state' | 'sentence_embedding';
}

export function tinyEmbeddingModel(o: TinyModelOptions): Uint8Array {
  const vocab = o.embedding.length / o.dims;
  const inputs = o.inputs ?? ['input_ids', 'attention_mask'];
  const pooled = o.output === 'sentence_embedding';
  const raw = new Uint8Array(o.embedding.buffer, o.embedding.byteOffset, o.embedding.byteLength);
  const initializer = msg(
    5,
    num(1, vocab),
    num(1, o.dims),
    num(2, FLOAT),
    str(8, 'embeddings'),
    bytes(9, raw),
  );
  const nodes = pooled
    ? [
        node('Gather', ['embeddings', 'input_ids'], ['hidden']),
        node('ReduceMean', ['hidden'], ['sentence_embedding'], intsAttr('axes', [1]), intAttr('keepdims', 0)),
      ]
    : [node('Gather', ['embeddings', 'input_ids'], ['last_hidden_state'])];
  const graph = msg(
    7,
    ...nodes,
    str(2, 'tiny'),
    initializer,
    ...inputs.map((name) => valueInfo(11, name, INT64, ['batch', 'seq'])),
    pooled
      ? valueInfo(12, 'sentence_embedding', FLOAT, ['batch', o.dims])
      : valueInfo(12, 'last_hidden_state', FLOAT, ['batch', 'seq', o.dims]),
  );
  // ir_version 8 with opset 13: old enough for every onnxruntime release we might meet
  return Uint8Array.from([
    ...num(1, 8),
    ...str(2, 'helix-test'),
    ...msg(8, str(1, ''), num(2, 13)),
    ...graph,
  ]);
}

/** A HuggingFace-style tokenizer.json for a WordPiece vocabulary (id = position). */
export function tinyTokenizerJson(vocab: string[], options: { lowercase?: boolean } = {}): string {
  return JSON.stringify({
    version: '1.0',
    normalizer: {
      type: 'BertNormalizer',
      clean_text: true,
      handle_chinese_chars: true,
      strip_accents: null,
      lowercase: options.lowercase ?? true,
    },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    model: {
      type: 'WordPiece',
      unk_token: '[UNK]',
      continuing_subword_prefix: '##',
      max_input_chars_per_word: 100,
      vocab: Object.fromEntries(vocab.map((t, i) => [t, i])),
    },
  });
}
