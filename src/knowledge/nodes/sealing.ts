import type { FieldCodec } from '../../storage/sealed-fields.js';

interface SealableRow {
  id: string;
  title: string | null;
  content: string;
  metadata: string;
  sealed_key?: number | null;
}

/**
 * A node row as stored: under `[encryption] enabled`, title, content and metadata are sealed
 * (metadata as a JSON string, so the column's json_valid check still holds). Everything else
 * (kind, namespace, tags, dates, importance, source) stays plaintext: filters and ordering need it.
 */
export function sealRow<T extends SealableRow>(codec: FieldCodec, row: T): T & { sealed_key: number | null } {
  if (!codec.sealing) return { ...row, sealed_key: null };
  const key = codec.activeKey();
  return {
    ...row,
    sealed_key: key,
    title: row.title === null ? null : codec.seal(row.id, key, 'title', row.title),
    content: codec.seal(row.id, key, 'content', row.content),
    metadata: JSON.stringify(codec.seal(row.id, key, 'metadata', row.metadata)),
  };
}

/** The plaintext of a stored row (rows already plaintext pass through untouched). */
export function openRow<T extends SealableRow>(codec: FieldCodec, row: T): T {
  const key = row.sealed_key;
  if (key === null || key === undefined) return row;
  return {
    ...row,
    sealed_key: null,
    title: row.title === null ? null : codec.open(row.id, key, 'title', row.title),
    content: codec.open(row.id, key, 'content', row.content),
    metadata: codec.open(row.id, key, 'metadata', JSON.parse(row.metadata) as string),
  };
}

/** The text the vector index may see of a stored row: content only where `index_plaintext` allows. */
export function indexableText(
  codec: FieldCodec,
  row: SealableRow,
): { title: string | null; content: string } {
  if (row.sealed_key === null || row.sealed_key === undefined) return row;
  const open = openRow(codec, row);
  return { title: open.title, content: codec.indexPlaintext ? open.content : '' };
}
