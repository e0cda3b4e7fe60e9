import { HelixError } from './errors.js';

/** Opaque page cursors: base64url JSON, so clients cannot depend on what is inside. */
export const encodeCursor = (value: unknown): string =>
  Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through to the error below
  }
  throw new HelixError('validation_error', 'cursor: not a cursor this API issued', { field: 'cursor' });
}
