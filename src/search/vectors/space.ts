import { createHash } from 'node:crypto';

/**
 * An embedding space: the provider id (`provider:model:dimensions`, see embeddings/provider.ts)
 * and its vector length. Each space gets its own LanceDB table, so switching models never mixes
 * vectors of different meaning and never meets a dimension mismatch.
 */
export interface VectorSpace {
  id: string;
  dimensions: number;
}

/** Schema metadata keys: a table name is a one-way function of the id, so the id is kept inside. */
export const SPACE_ID_KEY = 'helix.space_id';
export const SPACE_DIMS_KEY = 'helix.dimensions';

/**
 * `glove:sg-100d:100` → `glove_sg_100d_100_<8 hex>`. Sanitizing alone would map `a-b` and `a_b` to
 * the same table, so a short hash of the exact id follows; the readable part is capped so that
 * long model paths still make legal file names.
 */
export function tableNameFor(space: VectorSpace): string {
  const readable = space.id
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 80);
  const hash = createHash('sha256').update(`${space.id}\u0000${space.dimensions}`).digest('hex').slice(0, 8);
  return `${readable || 'space'}_${space.dimensions}_${hash}`;
}
