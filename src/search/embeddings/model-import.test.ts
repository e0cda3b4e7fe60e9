import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findModelFiles } from './model-files.js';
import { importModel } from './model-import.js';
import { tinyEmbeddingModel, tinyTokenizerJson } from '../../testing/onnx-fixture.js';
import { embeddingStatus } from './status.js';

const root = mkdtempSync(join(tmpdir(), 'helix-import-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const VOCAB = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello'];
function brought(name: string, files: Record<string, string | Uint8Array>) {
  const dir = join(root, 'downloads', name);
  for (const [rel, data] of Object.entries(files)) {
    mkdirSync(join(dir, rel, '..'), { recursive: true });
    writeFileSync(join(dir, rel), data);
  }
  return dir;
}
const onnx = tinyEmbeddingModel({ embedding: Float32Array.from({ length: 15 }, (_, i) => i / 10), dims: 3 });

describe('importModel', () => {
  const modelsDir = join(root, 'home', 'models');

  it('copies the model, tokenizer and metadata (not other weights), after proving they load', async () => {
    const from = brought('all-minilm-l6-v2', {
      'onnx/model.onnx': onnx,
      'tokenizer.json': tinyTokenizerJson(VOCAB),
      'config.json': '{"max_position_embeddings": 512}',
      '1_Pooling/config.json': '{"pooling_mode_mean_tokens": true}',
      'model.safetensors': 'weights we do not need',
    });
    const m = await importModel({ from, modelsDir });
    expect(m).toMatchObject({ name: 'all-minilm-l6-v2', dimensions: 3, pooling: 'mean' });
    expect(m.files.map((f) => f.path).sort()).toEqual([
      '1_Pooling/config.json',
      'config.json',
      'model.onnx',
      'tokenizer.json',
    ]);
    expect(findModelFiles(modelsDir, 'all-minilm-l6-v2').ok).toBe(true);
    expect(readdirSync(modelsDir)).toEqual(['all-minilm-l6-v2']);
  });

  it('refuses to overwrite without force, and replaces with it', async () => {
    const from = brought('all-minilm-l6-v2', {});
    await expect(importModel({ from, modelsDir })).rejects.toMatchObject({ code: 'conflict' });
    const again = await importModel({ from, modelsDir, force: true, name: 'all-minilm-l6-v2' });
    expect(again.dimensions).toBe(3);
  });

  it('names what is missing and leaves nothing behind when the model does not load', async () => {
    const half = brought('half', { 'model.onnx': onnx });
    await expect(importModel({ from: half, modelsDir })).rejects.toThrow(/lacks tokenizer.json/);
    const broken = brought('broken', {
      'model.onnx': 'not onnx',
      'tokenizer.json': tinyTokenizerJson(VOCAB),
    });
    await expect(importModel({ from: broken, modelsDir, name: 'bge-broken' })).rejects.toMatchObject({
      code: 'validation_error',
    });
    expect(readdirSync(modelsDir)).toEqual(['all-minilm-l6-v2']);
    await expect(importModel({ from: join(root, 'nope'), modelsDir })).rejects.toThrow(/is not a folder/);
    await expect(importModel({ from: half, modelsDir, name: '../escape' })).rejects.toThrow();
    expect(existsSync(join(root, 'home', 'escape'))).toBe(false);
  });
});

describe('embeddingStatus', () => {
  const base = { model: 'all-minilm-l6-v2', dimensions: 384, base_url: '', batch_size: 32 };

  it('predicts the provider from the files alone', () => {
    const modelsDir = join(root, 'home', 'models');
    const s = embeddingStatus({ ...base, provider: 'local_fastembed' }, modelsDir);
    expect(s.expected).toEqual({ provider: 'local_fastembed', model: 'all-minilm-l6-v2', reason: null });
    expect(s.models.map((m) => [m.name, m.complete])).toEqual([['all-minilm-l6-v2', true]]);
    expect(s.glove.built).toBe(false);

    const missing = embeddingStatus(
      { ...base, provider: 'local_fastembed', model: 'bge-small-en-v1.5' },
      modelsDir,
    );
    expect(missing.expected.provider).toBe('glove');
    expect(missing.expected.reason).toMatch(/not found .*will be built on first use/);
    expect(embeddingStatus({ ...base, provider: 'hash' }, modelsDir).expected.provider).toBe('hash');
    expect(embeddingStatus({ ...base, provider: 'openai' }, join(root, 'empty')).models).toEqual([]);
  });
});
