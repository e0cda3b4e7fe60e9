import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, describe, expect, it } from 'vitest';
import { tinyEmbeddingModel, tinyTokenizerJson } from '../../testing/onnx-fixture.js';
import { type EmbeddingSettings, selectEmbeddingProvider } from './select.js';
import { winkJson } from '../../testing/wink-fixture.js';

const root = mkdtempSync(join(tmpdir(), 'helix-select-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const gloveSource = join(root, 'wink.json');
writeFileSync(
  gloveSource,
  winkJson(
    ['alpha', 'beta', 'gamma'],
    [
      [1, 0, 0],
      [0, 1, 0],
      [0, 0, 1],
    ],
  ),
);

function capture() {
  const lines: { level: number; msg: string; reason?: string }[] = [];
  const logger = pino({ level: 'info' }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}
const settings = (e: Partial<EmbeddingSettings>): EmbeddingSettings => ({
  provider: 'local_fastembed',
  model: 'bge-small-en-v1.5',
  dimensions: 384,
  base_url: '',
  batch_size: 16,
  ...e,
});

describe('selectEmbeddingProvider', () => {
  it('falls back from missing ONNX files to GloVe, building its table, and warns once', async () => {
    const { logger, lines } = capture();
    const modelsDir = join(root, 'a', 'models');
    const pick = () =>
      selectEmbeddingProvider({
        config: { embedding: settings({}) },
        paths: { modelsDir },
        logger,
        gloveSource,
      });
    const first = await pick();
    expect(first.provider.id).toBe('glove:sg-100d:3');
    expect(first.requested).toEqual({
      provider: 'local_fastembed',
      model: 'bge-small-en-v1.5',
      dimensions: 384,
    });
    expect(first.fallback).toMatchObject({ from: 'local_fastembed', to: 'glove' });
    expect(first.fallback?.reason).toMatch(/model bge-small-en-v1\.5 not found .*hx models import/);
    expect(first.notes.join()).toMatch(/built the GloVe table/);
    const second = await pick();
    expect(second.fallback).toEqual(first.fallback);
    expect(second.notes).toEqual([]);
    expect(
      lines.filter((l) => l.msg.startsWith('embedding provider local_fastembed unavailable')),
    ).toHaveLength(1);
    expect(lines.filter((l) => l.msg.startsWith('building the GloVe'))).toHaveLength(1);
  });

  it('uses the hash embedder when GloVe cannot be had', async () => {
    const { logger } = capture();
    const sel = await selectEmbeddingProvider({
      config: { embedding: settings({ provider: 'glove', dimensions: 64 }) },
      paths: { modelsDir: join(root, 'b') },
      logger,
      gloveSource: null,
    });
    expect(sel.provider.id).toBe('hash:fnv1a-ngram:64');
    expect(sel.fallback).toMatchObject({
      from: 'glove',
      to: 'hash',
      reason: expect.stringMatching(/not installed/),
    });
  });

  it('loads installed ONNX model files and notes an ignored dimensions setting', async () => {
    const modelsDir = join(root, 'c');
    const dir = join(modelsDir, 'bge-small-en-v1.5');
    mkdirSync(dir, { recursive: true });
    const vocab = ['[PAD]', '[UNK]', '[CLS]', '[SEP]', 'hello'];
    writeFileSync(
      join(dir, 'model.onnx'),
      tinyEmbeddingModel({ embedding: Float32Array.from({ length: 15 }, (_, i) => i), dims: 3 }),
    );
    writeFileSync(join(dir, 'tokenizer.json'), tinyTokenizerJson(vocab));
    const sel = await selectEmbeddingProvider({
      config: { embedding: settings({}) },
      paths: { modelsDir },
      logger: capture().logger,
    });
    try {
      expect(sel.fallback).toBeNull();
      expect(sel.provider.id).toBe('local_fastembed:bge-small-en-v1.5:3');
      expect(sel.notes.join()).toMatch(/produces 3 dimensions; embedding.dimensions \(384\) is ignored/);
    } finally {
      await sel.provider.close?.();
    }
  });

  it('falls back when the model files are there but do not load', async () => {
    const modelsDir = join(root, 'd');
    const dir = join(modelsDir, 'all-minilm-l6-v2');
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, 'model.onnx'), 'truncated download');
    writeFileSync(join(dir, 'tokenizer.json'), tinyTokenizerJson(['[PAD]', '[UNK]', '[CLS]', '[SEP]']));
    const sel = await selectEmbeddingProvider({
      config: { embedding: settings({ model: 'all-minilm-l6-v2' }) },
      paths: { modelsDir },
      logger: capture().logger,
      gloveSource,
    });
    expect(sel.provider.provider).toBe('glove');
    expect(sel.fallback?.reason).toMatch(/does not load/);
  });

  it('refuses openai against api.openai.com without a key, naming the fix', async () => {
    await expect(
      selectEmbeddingProvider({
        config: { embedding: settings({ provider: 'openai' }) },
        paths: { modelsDir: root },
        logger: capture().logger,
      }),
    ).rejects.toMatchObject({ code: 'validation_error', details: { field: 'embedding.api_key' } });
    await expect(
      selectEmbeddingProvider({
        config: { embedding: settings({ provider: 'openai', base_url: 'not a url' }) },
        paths: { modelsDir: root },
        logger: capture().logger,
      }),
    ).rejects.toMatchObject({ code: 'validation_error', details: { field: 'embedding.base_url' } });
  });

  it('configures hash directly with the configured dimensions', async () => {
    const sel = await selectEmbeddingProvider({
      config: { embedding: settings({ provider: 'hash', dimensions: 128 }) },
      paths: { modelsDir: root },
      logger: capture().logger,
    });
    expect(sel).toMatchObject({ fallback: null, provider: { id: 'hash:fnv1a-ngram:128', dimensions: 128 } });
  });
});
