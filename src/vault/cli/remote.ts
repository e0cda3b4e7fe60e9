import { HelixError, type ErrorCode, errorCatalogue } from '../../core/errors.js';

/** A JSON call to a running server (`--server URL`), its error body turned back into a HelixError. */
export async function callServer<T>(
  server: string,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
): Promise<T> {
  const res = await fetch(new URL(path, server), {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  const parsed = text ? (JSON.parse(text) as unknown) : null;
  if (!res.ok) {
    const e = (
      parsed as { error?: { code?: string; message?: string; details?: Record<string, unknown> } } | null
    )?.error;
    const code = (e?.code && e.code in errorCatalogue ? e.code : 'internal_error') as ErrorCode;
    throw new HelixError(code, e?.message ?? `HTTP ${res.status}`, e?.details ?? undefined);
  }
  return parsed as T;
}
