import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import { invalid } from '../../core/errors.js';

/**
 * Where local ONNX models live: `$HELIX_HOME/models/<name>/`, holding what a HuggingFace or
 * fastembed download holds. Several layouts are accepted so a folder can be copied in as it came.
 */
export const ONNX_CANDIDATES = [
  'model.onnx',
  'model_optimized.onnx',
  'onnx/model.onnx',
  'model_quantized.onnx',
];
export const TOKENIZER_CANDIDATES = ['tokenizer.json', 'vocab.txt'];
/** sentence-transformers' record of the pooling the model was trained with */
export const POOLING_CANDIDATES = ['1_Pooling/config.json', 'pooling_config.json'];

export interface ModelFiles {
  dir: string;
  onnx: string;
  tokenizer: string;
  tokenizerKind: 'json' | 'vocab';
  /** HuggingFace `config.json` (max_position_embeddings), when present */
  config?: string;
  pooling?: string;
}

export type ModelLookup =
  | { ok: true; files: ModelFiles }
  | { ok: false; searched: string[]; missing: string[] };

/** Rejects names that would escape the models folder; `org/name` (as on HuggingFace) is allowed. */
export function checkModelName(name: string): string {
  const clean = name.trim();
  if (
    !clean ||
    clean.split(/[\\/]/).some((p) => p === '..' || p === '.' || p === '') ||
    /^[\\/]|:/.test(clean)
  )
    throw invalid('model', `${JSON.stringify(name)} is not a usable model folder name`);
  return clean;
}

/** `models/<model>`, then `models/<last segment>`, then fastembed's `models/fast-<last segment>`. */
export function modelDirCandidates(modelsDir: string, model: string): string[] {
  const name = checkModelName(model);
  const last = basename(name);
  return [...new Set([join(modelsDir, name), join(modelsDir, last), join(modelsDir, `fast-${last}`)])];
}

const firstExisting = (dir: string, names: string[]) =>
  names.map((n) => join(dir, n)).find((p) => existsSync(p));

/** The model files of one folder, or what is missing from it. */
export function modelFilesIn(dir: string): ModelFiles | { missing: string[] } {
  const onnx = firstExisting(dir, ONNX_CANDIDATES);
  const tokenizer = firstExisting(dir, TOKENIZER_CANDIDATES);
  if (!onnx || !tokenizer)
    return { missing: [...(onnx ? [] : ['model.onnx']), ...(tokenizer ? [] : ['tokenizer.json'])] };
  const config = firstExisting(dir, ['config.json']);
  const pooling = firstExisting(dir, POOLING_CANDIDATES);
  return {
    dir,
    onnx,
    tokenizer,
    tokenizerKind: tokenizer.endsWith('.json') ? 'json' : 'vocab',
    ...(config ? { config } : {}),
    ...(pooling ? { pooling } : {}),
  };
}

export function findModelFiles(modelsDir: string, model: string): ModelLookup {
  const searched = modelDirCandidates(modelsDir, model);
  let missing = ['model.onnx', 'tokenizer.json'];
  for (const dir of searched) {
    if (!existsSync(dir)) continue;
    const found = modelFilesIn(dir);
    if ('onnx' in found) return { ok: true, files: found };
    missing = found.missing;
  }
  return { ok: false, searched, missing };
}

export interface InstalledModel {
  name: string;
  dir: string;
  complete: boolean;
  bytes: number;
  files: { path: string; bytes: number }[];
}

function walk(dir: string, root: string, out: { path: string; bytes: number }[]) {
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) walk(p, root, out);
    else if (e.isFile()) out.push({ path: relative(root, p), bytes: statSync(p).size });
  }
}

/** Every folder under `models/` (one level), with its files and whether it holds a usable model. */
export function listInstalledModels(modelsDir: string): InstalledModel[] {
  if (!existsSync(modelsDir)) return [];
  return readdirSync(modelsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => {
      const dir = join(modelsDir, e.name);
      const files: { path: string; bytes: number }[] = [];
      walk(dir, dir, files);
      return {
        name: e.name,
        dir,
        complete: 'onnx' in modelFilesIn(dir),
        bytes: files.reduce((n, f) => n + f.bytes, 0),
        files,
      };
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}
