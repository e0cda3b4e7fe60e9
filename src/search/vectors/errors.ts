import { HelixError } from '../../core/errors.js';

/**
 * Why the vector store cannot answer: `io` (the folder cannot be created or read), `missing`
 * (files vanished under us), `corrupt` (files exist but do not decode). Each one means the same to
 * a caller: answer from full text alone, say so, and let `hx db reindex --vectors` rebuild.
 */
export type VectorFailure = 'io' | 'missing' | 'corrupt';

/** A typed 503: recall catches this one and degrades to full text with a warning. */
export class VectorStoreUnavailable extends HelixError {
  readonly reason: VectorFailure;

  constructor(reason: VectorFailure, message: string, details: Record<string, unknown>) {
    super('unavailable', message, { reason, ...details });
    this.name = 'VectorStoreUnavailable';
    this.reason = reason;
  }
}

export const isVectorStoreUnavailable = (err: unknown): err is VectorStoreUnavailable =>
  err instanceof VectorStoreUnavailable;

const messageOf = (err: unknown) => (err instanceof Error ? err.message : String(err));

/**
 * LanceDB reports every failure as a plain Error whose text names the Rust cause; the first line
 * (without source paths) is enough for logs, and "not found" tells missing files from bad ones.
 */
export function toVectorStoreError(err: unknown, op: string, details: Record<string, unknown>): HelixError {
  if (err instanceof HelixError) return err;
  const full = messageOf(err);
  const cause = full.split(/, \/|\n/)[0]!.slice(0, 300);
  const reason: VectorFailure = /not found|no such file|ENOENT/i.test(full)
    ? 'missing'
    : /EACCES|EPERM|ENOTDIR|EEXIST|EROFS|ENOSPC/.test(full)
      ? 'io'
      : 'corrupt';
  return new VectorStoreUnavailable(reason, `vector store ${op} failed (${reason}): ${cause}`, {
    ...details,
    op,
    cause,
  });
}
