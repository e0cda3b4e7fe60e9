import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkModelName, findModelFiles, listInstalledModels, modelDirCandidates } from './model-files.js';

const models = mkdtempSync(join(tmpdir(), 'helix-models-'));
afterAll(() => rmSync(models, { recursive: true, force: true }));
const put = (rel: string, text = 'x') => {
  mkdirSync(join(models, rel, '..'), { recursive: true });
  writeFileSync(join(models, rel), text);
};

describe('model files', () => {
  it('finds HuggingFace, fastembed and plain layouts', () => {
    put('fast-bge-small-en-v1.5/model_optimized.onnx');
    put('fast-bge-small-en-v1.5/tokenizer.json');
    put('all-minilm-l6-v2/onnx/model.onnx');
    put('all-minilm-l6-v2/vocab.txt');
    put('all-minilm-l6-v2/1_Pooling/config.json', '{}');
    const bge = findModelFiles(models, 'BAAI/bge-small-en-v1.5');
    expect(bge).toMatchObject({
      ok: true,
      files: { onnx: join(models, 'fast-bge-small-en-v1.5', 'model_optimized.onnx') },
    });
    const mini = findModelFiles(models, 'all-minilm-l6-v2');
    expect(mini).toMatchObject({
      ok: true,
      files: { tokenizerKind: 'vocab', pooling: expect.stringContaining('1_Pooling') },
    });
  });

  it('says what is missing and where it looked', () => {
    put('half/model.onnx');
    expect(findModelFiles(models, 'half')).toEqual({
      ok: false,
      missing: ['tokenizer.json'],
      searched: [join(models, 'half'), join(models, 'fast-half')],
    });
  });

  it('refuses names that escape the models folder', () => {
    for (const bad of ['../x', 'a/../../b', '/etc', '', 'c:evil', 'a//b'])
      expect(() => checkModelName(bad)).toThrow();
    expect(modelDirCandidates(models, 'org/name')[0]).toBe(join(models, 'org', 'name'));
  });

  it('lists installed folders with sizes and completeness', () => {
    const list = listInstalledModels(models);
    expect(list.map((m) => [m.name, m.complete])).toEqual([
      ['all-minilm-l6-v2', true],
      ['fast-bge-small-en-v1.5', true],
      ['half', false],
    ]);
    expect(list[0]!.files.map((f) => f.path).sort()).toEqual([
      join('1_Pooling', 'config.json'),
      join('onnx', 'model.onnx'),
      'vocab.txt',
    ]);
    expect(listInstalledModels(join(models, 'absent'))).toEqual([]);
  });
});
