import { readFileSync } from 'node:fs';
import type { InferenceSession, Tensor } from 'onnxruntime-node';
import { HelixError } from '../../core/errors.js';
import type { ModelFiles } from './model-files.js';
import { type EmbeddingProvider, l2normalize, providerId } from './provider.js';
import { type WordPieceTokenizer, tokenizerFromJson, tokenizerFromVocabTxt } from './wordpiece.js';

export type Pooling = 'cls' | 'mean';

export interface FastEmbedOptions {
  files: ModelFiles;
  /** the configured model name; part of the provider id */
  model: string;
  /** `auto`: the model folder's pooling config, else CLS for bge models (trained so), else mean */
  pooling?: Pooling | 'auto';
  /** tokens per text including [CLS]/[SEP]; capped by the model's max_position_embeddings */
  maxLength?: number;
  batchSize?: number;
  threads?: number;
}

const readJson = (path: string): Record<string, unknown> => {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
  } catch {
    throw new HelixError('validation_error', `${path} is not valid JSON`, { path });
  }
};

export function choosePooling(model: string, files: ModelFiles, wanted: Pooling | 'auto' = 'auto'): Pooling {
  if (wanted !== 'auto') return wanted;
  if (files.pooling) {
    const p = readJson(files.pooling);
    if (p.pooling_mode_cls_token === true) return 'cls';
    if (p.pooling_mode_mean_tokens === true) return 'mean';
  }
  return /bge/i.test(model) ? 'cls' : 'mean';
}

function loadTokenizer(files: ModelFiles): WordPieceTokenizer {
  const text = readFileSync(files.tokenizer, 'utf8');
  return files.tokenizerKind === 'json' ? tokenizerFromJson(text) : tokenizerFromVocabTxt(text);
}

/** Pools one text's hidden states (`seq × dims` starting at `base`) into a unit vector. */
export function pool(
  hidden: Float32Array,
  base: number,
  seq: number,
  dims: number,
  len: number,
  how: Pooling,
) {
  const v = new Float32Array(dims);
  if (how === 'cls') v.set(hidden.subarray(base, base + dims));
  else {
    // only real tokens: padded positions carry embeddings too and would drag every short text alike
    for (let t = 0; t < Math.min(len, seq); t++)
      for (let d = 0; d < dims; d++) v[d]! += hidden[base + t * dims + d]!;
    for (let d = 0; d < dims; d++) v[d]! /= Math.max(1, len);
  }
  return l2normalize(v);
}

/**
 * Local inference of a BERT-style sentence embedder (bge-small-en-v1.5, all-MiniLM-L6-v2, …) with
 * onnxruntime-node on the CPU. The model comes from files on disk only: nothing is downloaded.
 * Texts are batched by similar length so padding (wasted compute) stays small.
 */
export class FastEmbedder implements EmbeddingProvider {
  readonly provider = 'local_fastembed' as const;
  readonly id: string;

  private constructor(
    readonly model: string,
    readonly dimensions: number,
    readonly pooling: Pooling,
    private readonly session: InferenceSession,
    private readonly ort: typeof import('onnxruntime-node'),
    private readonly tokenizer: WordPieceTokenizer,
    private readonly maxLength: number,
    private readonly batchSize: number,
    private readonly output: string,
  ) {
    this.id = providerId('local_fastembed', model, dimensions);
  }

  static async open(o: FastEmbedOptions): Promise<FastEmbedder> {
    const ort = await import('onnxruntime-node');
    const tokenizer = loadTokenizer(o.files);
    const maxPos = o.files.config ? Number(readJson(o.files.config).max_position_embeddings) : Number.NaN;
    const maxLength = Math.min(o.maxLength ?? 512, Number.isFinite(maxPos) && maxPos > 2 ? maxPos : 512);
    let session: InferenceSession;
    try {
      session = await ort.InferenceSession.create(o.files.onnx, {
        graphOptimizationLevel: 'all',
        logSeverityLevel: 3,
        ...(o.threads ? { intraOpNumThreads: o.threads } : {}),
      });
    } catch (err) {
      throw new HelixError(
        'validation_error',
        `cannot load ONNX model ${o.files.onnx}: ${(err as Error).message}`,
        {
          path: o.files.onnx,
        },
      );
    }
    try {
      const unknown = session.inputNames.filter(
        (n) => !['input_ids', 'attention_mask', 'token_type_ids'].includes(n),
      );
      if (!session.inputNames.includes('input_ids') || unknown.length)
        throw new HelixError(
          'validation_error',
          `ONNX model ${o.files.onnx} takes inputs [${session.inputNames.join(', ')}]; expected input_ids, attention_mask, token_type_ids`,
          { path: o.files.onnx },
        );
      const names = session.outputNames;
      const output =
        ['sentence_embedding', 'last_hidden_state', 'token_embeddings'].find((n) => names.includes(n)) ??
        names[0]!;
      const pooling = choosePooling(o.model, o.files, o.pooling);
      const probe = new FastEmbedder(o.model, 0, pooling, session, ort, tokenizer, maxLength, 1, output);
      // the width is whatever the model produces; one tiny run finds it and proves the model runs
      const [v] = await probe.run(['dimension probe']);
      return new FastEmbedder(
        o.model,
        v!.length,
        pooling,
        session,
        ort,
        tokenizer,
        maxLength,
        Math.max(1, o.batchSize ?? 32),
        output,
      );
    } catch (err) {
      // the native session holds memory outside the JS heap: free it when the model is rejected
      await session.release();
      if (err instanceof HelixError && err.code === 'validation_error') throw err;
      throw new HelixError(
        'validation_error',
        `ONNX model ${o.files.onnx} does not run as an embedder: ${(err as Error).message}`,
        {
          path: o.files.onnx,
        },
      );
    }
  }

  private tensor(
    name: string,
    rows: number[][],
    seq: number,
    fill: (row: number[], t: number) => number,
  ): Tensor {
    const meta = this.session.inputMetadata.find((m) => m.name === name);
    const int32 = meta?.isTensor === true && meta.type === 'int32';
    const data = int32 ? new Int32Array(rows.length * seq) : new BigInt64Array(rows.length * seq);
    rows.forEach((r, b) => {
      for (let t = 0; t < seq; t++) {
        const x = fill(r, t);
        if (data instanceof Int32Array) data[b * seq + t] = x;
        else data[b * seq + t] = BigInt(x);
      }
    });
    return new this.ort.Tensor(int32 ? 'int32' : 'int64', data, [rows.length, seq]);
  }

  /** One forward pass over `texts` (one batch). */
  private async run(texts: string[]): Promise<Float32Array[]> {
    const ids = texts.map((t) => this.tokenizer.encode(t, this.maxLength));
    const seq = Math.max(...ids.map((r) => r.length));
    const pad = this.tokenizer.padId;
    const feeds: Record<string, Tensor> = {};
    for (const name of this.session.inputNames) {
      if (name === 'input_ids') feeds[name] = this.tensor(name, ids, seq, (r, t) => r[t] ?? pad);
      else if (name === 'attention_mask')
        feeds[name] = this.tensor(name, ids, seq, (r, t) => (t < r.length ? 1 : 0));
      else feeds[name] = this.tensor(name, ids, seq, () => 0);
    }
    const result = await this.session.run(feeds);
    const out = result[this.output];
    if (!out || !(out.data instanceof Float32Array))
      throw new HelixError('internal_error', `ONNX model gave no float output ${this.output}`);
    const dims = out.dims[out.dims.length - 1]!;
    if (out.dims.length === 2)
      return ids.map((_, b) => l2normalize(out.data.slice(b * dims, (b + 1) * dims) as Float32Array));
    return ids.map((r, b) =>
      pool(out.data as Float32Array, b * seq * dims, seq, dims, r.length, this.pooling),
    );
  }

  async embed(texts: string[]): Promise<Float32Array[]> {
    const out: Float32Array[] = new Array(texts.length);
    const todo = texts.map((t, i) => ({ i, t })).filter((x) => x.t.trim());
    todo.sort((a, b) => a.t.length - b.t.length);
    for (let at = 0; at < todo.length; at += this.batchSize) {
      const batch = todo.slice(at, at + this.batchSize);
      const vectors = await this.run(batch.map((x) => x.t));
      batch.forEach((x, k) => {
        out[x.i] = vectors[k]!;
      });
    }
    // empty texts: the zero vector, as every provider does (a model would embed [CLS][SEP] as something)
    for (let i = 0; i < texts.length; i++) out[i] ??= new Float32Array(this.dimensions);
    return out;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}
