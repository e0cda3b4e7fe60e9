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
 * together as one value in `content` (one AEAD operation per read and per write; title NULL and
 * metadata `{}` in their own columns). Everything else (kind, namespace, tags, dates, importance,
 * source) stays plaintext: filters and ordering need it.
 */
export function sealRow<T extends SealableRow>(codec: FieldCodec, row: T): T & { sealed_key: number | null } {
  if (!codec.sealing) return { ...row, sealed_key: null };
  const key = codec.activeKey();
  return {
    ...row,
    sealed_key: key,
    title: null,
    content: codec.seal(row.id, key, 'row', JSON.stringify([row.title, row.content, row.metadata])),
    metadata: '{}',
  };
}

/** The sealed fields of a stored row, opened. */
export function openFields(
  codec: FieldCodec,
  id: string,
  key: number,
  sealed: string,
): { title: string | null; content: string; metadata: string } {
  const [title, content, metadata] = JSON.parse(codec.open(id, key, 'row', sealed)) as [
    string | null,
    string,
    string,
  ];
  return { title, content, metadata };
}

/** The plaintext of a stored row (rows already plaintext pass through untouched). */
export function openRow<T extends SealableRow>(codec: FieldCodec, row: T): T {
  const key = row.sealed_key;
  if (key === null || key === undefined) return row;
  return { ...row, sealed_key: null, ...openFields(codec, row.id, key, row.content) };
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
