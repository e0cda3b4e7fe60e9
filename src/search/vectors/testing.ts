import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger } from '../../core/logger.js';
import { openVectorStore, type VectorStore } from './store.js';

/** A store in a fresh temp folder; `dispose` closes it and removes the folder. */
export interface TempStore {
  dir: string;
  path: string;
  store: VectorStore;
  dispose(): void;
}

export async function tempStore(): Promise<TempStore> {
  const dir = mkdtempSync(join(tmpdir(), 'helix-vectors-'));
  const path = join(dir, 'lancedb');
  const store = await openVectorStore(path, silentLogger());
  return {
    dir,
    path,
    store,
    dispose: () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A unit vector leaning `angle` radians from axis 0 towards axis `towards`. */
export function leaning(dimensions: number, angle: number, towards = 1): Float32Array {
  const v = new Float32Array(dimensions);
  v[0] = Math.cos(angle);
  v[towards] = Math.sin(angle);
  return v;
}
