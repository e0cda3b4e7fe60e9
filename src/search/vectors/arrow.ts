/**
 * Arrow record batches for the vector tables.
 *
 * `apache-arrow` ships an ESM and a CommonJS build, and `@lancedb/lancedb` is CommonJS: a Table
 * built from our ESM import is a different class from the one LanceDB checks with `instanceof`,
 * and its re-sanitizing then rejects FixedSizeList batches ("Table and inner RecordBatch schemas
 * must be equivalent"). Loading the CommonJS build here gives both sides the same classes, so
 * batches go through untouched and without a per-row copy.
 */
import { createRequire } from 'node:module';
import type * as ArrowModule from 'apache-arrow';

const arrow = createRequire(import.meta.url)('apache-arrow') as typeof ArrowModule;

export type ArrowSchema = ArrowModule.Schema;
export type ArrowTable = ArrowModule.Table;

/** One stored vector: which node, in which namespace, of which text (hash), and the vector itself. */
export interface VectorRow {
  node_id: string;
  namespace: string;
  /** hash of the embedded text, so unchanged text is never embedded twice */
  content_hash: string;
  vector: Float32Array | readonly number[];
}

/** `node_id`, `namespace`, `content_hash` (utf8) and `vector` (FixedSizeList<Float32>[dims]). */
export function vectorSchema(dimensions: number, metadata: Map<string, string>): ArrowSchema {
  const { Field, FixedSizeList, Float32, Schema, Utf8 } = arrow;
  return new Schema(
    [
      new Field('node_id', new Utf8(), false),
      new Field('namespace', new Utf8(), false),
      new Field('content_hash', new Utf8(), false),
      new Field('vector', new FixedSizeList(dimensions, new Field('item', new Float32(), true)), false),
    ],
    metadata,
  );
}

/** The vector column's length in a schema read back from LanceDB (undefined: not our layout). */
export function vectorDimensions(schema: ArrowSchema): number | undefined {
  const type = schema.fields.find((f) => f.name === 'vector')?.type;
  return type instanceof arrow.FixedSizeList ? type.listSize : undefined;
}

/** Column-wise build: one Float32Array for all vectors, no per-row objects on the LanceDB side. */
export function rowsToArrow(schema: ArrowSchema, dimensions: number, rows: readonly VectorRow[]): ArrowTable {
  const { Float32, RecordBatch, Struct, Table, Utf8, makeData, vectorFromArray } = arrow;
  const n = rows.length;
  const flat = new Float32Array(n * dimensions);
  for (let i = 0; i < n; i++) flat.set(rows[i]!.vector, i * dimensions);
  const utf8 = (pick: (r: VectorRow) => string) => vectorFromArray(rows.map(pick), new Utf8()).data[0]!;
  const vectorType = schema.fields[3]!.type as ArrowModule.FixedSizeList<ArrowModule.Float32>;
  const vectors = makeData({
    type: vectorType,
    length: n,
    child: makeData({ type: new Float32(), length: n * dimensions, data: flat }),
  });
  const data = makeData({
    type: new Struct(schema.fields),
    length: n,
    children: [utf8((r) => r.node_id), utf8((r) => r.namespace), utf8((r) => r.content_hash), vectors],
  });
  return new Table([new RecordBatch(schema, data)]);
}
