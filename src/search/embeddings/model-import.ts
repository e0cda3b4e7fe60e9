import { copyFileSync, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { HelixError, invalid } from '../../core/errors.js';
import { FastEmbedder, type Pooling } from './fastembed.js';
import { POOLING_CANDIDATES, checkModelName, modelFilesIn } from './model-files.js';

export interface ImportModelInput {
  /** the folder the user brought */
  from: string;
  modelsDir: string;
  /** folder name under models/; defaults to the source folder's name */
  name?: string;
  /** replace an existing model of that name */
  force?: boolean;
}

export interface ImportedModel {
  name: string;
  dir: string;
  files: { path: string; bytes: number }[];
  dimensions: number;
  pooling: Pooling;
}

/** Small files that describe the model; weights in other formats (safetensors, .bin) are left behind. */
const isMetadata = (file: string) => file.endsWith('.json') || file === 'vocab.txt';

/**
 * Copies a model folder's ONNX file (as `model.onnx`, with any external-data file beside it), its
 * tokenizer and metadata into `models/<name>/`, then proves the copy loads and runs before it
 * becomes visible: the copy goes to a temporary folder that is renamed into place only on success.
 */
export async function importModel(input: ImportModelInput): Promise<ImportedModel> {
  const from = resolve(input.from);
  if (!existsSync(from) || !statSync(from).isDirectory()) throw invalid('dir', `${from} is not a folder`);
  const found = modelFilesIn(from);
  if (!('onnx' in found))
    throw invalid(
      'dir',
      `${from} lacks ${found.missing.join(' and ')} (expected model.onnx and tokenizer.json)`,
      {
        missing: found.missing,
      },
    );
  const name = checkModelName(input.name ?? basename(from));
  const dest = join(input.modelsDir, name);
  if (existsSync(dest) && !input.force)
    throw new HelixError(
      'conflict',
      `model ${name} already exists in ${input.modelsDir} (use --force to replace it)`,
      {
        name,
      },
    );

  const tmp = `${dest}.importing-${process.pid}`;
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true });
  const copied: { path: string; bytes: number }[] = [];
  const copy = (src: string, rel: string) => {
    mkdirSync(dirname(join(tmp, rel)), { recursive: true });
    copyFileSync(src, join(tmp, rel));
    copied.push({ path: rel, bytes: statSync(src).size });
  };
  try {
    copy(found.onnx, 'model.onnx');
    // external weights are referenced by file name relative to the model, so they keep theirs
    const onnxDir = dirname(found.onnx);
    for (const f of readdirSync(onnxDir)) if (/\.onnx[._]data$/.test(f)) copy(join(onnxDir, f), f);
    for (const f of readdirSync(from))
      if (isMetadata(f) && statSync(join(from, f)).isFile()) copy(join(from, f), f);
    for (const rel of POOLING_CANDIDATES)
      if (existsSync(join(from, rel)) && !copied.some((c) => c.path === rel)) copy(join(from, rel), rel);

    const files = modelFilesIn(tmp);
    if (!('onnx' in files)) throw new HelixError('internal_error', 'copied model is incomplete');
    const model = await FastEmbedder.open({ files, model: name });
    const result = { dimensions: model.dimensions, pooling: model.pooling };
    await model.close();

    if (existsSync(dest)) rmSync(dest, { recursive: true, force: true });
    mkdirSync(dirname(dest), { recursive: true });
    renameSync(tmp, dest);
    return { name, dir: dest, files: copied, ...result };
  } catch (err) {
    rmSync(tmp, { recursive: true, force: true });
    throw err;
  }
}
