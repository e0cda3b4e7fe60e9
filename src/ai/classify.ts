import { HelixError } from '../core/errors.js';

export interface Failure {
  /** worth trying the next candidate (429, 5xx, timeouts, unreachable) */
  retryable: boolean;
  /** short machine-readable kind: http_429, http_500, timeout, unreachable, aborted, error */
  kind: string;
  status?: number;
  message: string;
}

/** What went wrong with one provider attempt, and whether another candidate might succeed. */
export function classify(err: unknown, callerAborted = false): Failure {
  if (callerAborted) return { retryable: false, kind: 'aborted', message: 'the caller went away' };
  // by name, not instanceof: the SDK loads lazily, and two copies of it may coexist
  const api = err as { name?: string; statusCode?: number; message: string };
  if (api?.name === 'AI_APICallError') {
    const status = api.statusCode;
    if (status === undefined) return { retryable: true, kind: 'unreachable', message: api.message };
    const retryable = status === 408 || status === 409 || status === 429 || status >= 500;
    return { retryable, kind: `http_${status}`, status, message: api.message };
  }
  const e = err as { name?: string; message?: string; cause?: { code?: string } };
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError')
    return { retryable: true, kind: 'timeout', message: 'the provider did not answer in time' };
  if (e?.name === 'TypeError' || e?.cause?.code === 'ECONNREFUSED' || e?.cause?.code === 'ECONNRESET')
    return { retryable: true, kind: 'unreachable', message: e.message ?? 'network error' };
  if (e?.name === 'AI_RetryError' || e?.name === 'AI_NoOutputGeneratedError')
    return { retryable: true, kind: 'error', message: e.message ?? 'no output' };
  return { retryable: false, kind: 'error', message: e?.message ?? String(err) };
}

/** The error a caller sees when every candidate failed (or the only one did). */
export function upstreamError(f: Failure, attempts: unknown[]): HelixError {
  const details = { upstream: f.kind, attempts };
  if (f.status === 400 || f.status === 422)
    return new HelixError('validation_error', `the provider refused the request: ${f.message}`, details);
  if (f.kind === 'aborted') return new HelixError('unavailable', 'the request was cancelled', details);
  return new HelixError('unavailable', `no LLM provider answered (last: ${f.kind}: ${f.message})`, details);
}
