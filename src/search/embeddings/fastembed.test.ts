import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FastEmbedder, choosePooling } from './fastembed.js';
import { findModelFiles } from './model-files.js';
import { tinyEmbeddingModel, tinyTokenizerJson } from '../../testing/onnx-fixture.js';

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello', 'world', '##s', 'un', '##aff', '##able', '!'];
const DIMS = 4;
// row i = [i, 1, -i/2, (i % 3)]: distinct, non-collinear rows so a wrong index shows up
const EMBEDDING = Float32Array.from(VOCAB.flatMap((_, i) => [i, 1, -i / 2, i % 3]));
const row = (id: number) => Array.from(EMBEDDING.subarray(id * DIMS, id * DIMS + DIMS));
const unit = (v: number[]) => {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
};
const expectClose = (actual: Float32Array, expected: number[]) => {
  expect(actual).toHaveLength(expected.length);
  for (const [d, x] of actual.entries()) expect(x).toBeCloseTo(expected[d]!, 5);
};
const meanOf = (ids: number[]) =>
  unit(ids.map(row).reduce((a, r) => a.map((x, d) => x + r[d]!), [0, 0, 0, 0]));

const root = mkdtempSync(join(tmpdir(), 'helix-fastembed-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

function install(name: string, model: Uint8Array, extra: Record<string, string> = {}) {
  const dir = join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.onnx'), model);
  writeFileSync(join(dir, 'tokenizer.json'), tinyTokenizerJson(VOCAB));
  for (const [file, text] of Object.entries(extra)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    writeFileSync(join(dir, file), text);
  }
  const found = findModelFiles(root, name);
  if (!found.ok) throw new Error('fixture not installed');
  return found.files;
}

describe('FastEmbedder on a tiny ONNX model built by the test', () => {
  it('mean-pools real tokens only (padding excluded) and L2-normalizes', async () => {
    const files = install('tiny-minilm', tinyEmbeddingModel({ embedding: EMBEDDING, dims: DIMS }));
    const e = await FastEmbedder.open({ files, model: 'tiny-minilm' });
    try {
      expect(e.dimensions).toBe(DIMS);
      expect(e.pooling).toBe('mean');
      expect(e.id).toBe('local_fastembed:tiny-minilm:4');
      // different lengths in one batch: the short one is padded, padding must not count
      const [a, b, c] = await e.embed(['Hello worlds!', 'unaffable', '']);
      const expectA = meanOf([2, 4, 5, 6, 10, 3]); // [CLS] hello world ##s ! [SEP]
      const expectB = meanOf([2, 7, 8, 9, 3]); // [CLS] un ##aff ##able [SEP]
      expectClose(a!, expectA);
      expectClose(b!, expectB);
      expect(Array.from(c!)).toEqual([0, 0, 0, 0]);
    } finally {
      await e.close();
    }
  });

  it('uses CLS pooling for bge models and feeds token_type_ids only when the model declares it', async () => {
    const files = install(
      'bge-tiny',
      tinyEmbeddingModel({
        embedding: EMBEDDING,
        dims: DIMS,
        inputs: ['input_ids', 'attention_mask', 'token_type_ids'],
      }),
    );
    const e = await FastEmbedder.open({ files, model: 'bge-tiny' });
    try {
      expect(e.pooling).toBe('cls');
      const [v] = await e.embed(['hello']);
      const expected = unit(row(2));
      expectClose(v!, expected);
    } finally {
      await e.close();
    }
  });

  it('takes an already pooled sentence_embedding output as is', async () => {
    const files = install(
      'pooled',
      tinyEmbeddingModel({
        embedding: EMBEDDING,
        dims: DIMS,
        output: 'sentence_embedding',
        inputs: ['input_ids'],
      }),
    );
    const e = await FastEmbedder.open({ files, model: 'pooled', batchSize: 1 });
    try {
      const [v] = await e.embed(['hello world']);
      const expected = meanOf([2, 4, 5, 3]);
      expectClose(v!, expected);
    } finally {
      await e.close();
    }
  });

  it('truncates to the model max length from config.json', async () => {
    const files = install('short', tinyEmbeddingModel({ embedding: EMBEDDING, dims: DIMS }), {
      'config.json': JSON.stringify({ max_position_embeddings: 4 }),
    });
    const e = await FastEmbedder.open({ files, model: 'short' });
    try {
      const [v] = await e.embed(['hello world hello world hello']);
      const expected = meanOf([2, 4, 5, 3]); // [CLS] hello world [SEP]
      expectClose(v!, expected);
    } finally {
      await e.close();
    }
  });

  it('reads sentence-transformers pooling config over the name heuristic', () => {
    const files = install('bge-but-mean', new Uint8Array([0]), {
      '1_Pooling/config.json': JSON.stringify({
        pooling_mode_cls_token: false,
        pooling_mode_mean_tokens: true,
      }),
    });
    expect(choosePooling('bge-but-mean', files)).toBe('mean');
    expect(choosePooling('bge-but-mean', files, 'cls')).toBe('cls');
  });

  it('reports a model file that is not ONNX as a validation error', async () => {
    const files = install('garbage', new TextEncoder().encode('not a model'));
    await expect(FastEmbedder.open({ files, model: 'garbage' })).rejects.toMatchObject({
      code: 'validation_error',
    });
  });
});
