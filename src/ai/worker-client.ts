import type { HelixConfig } from '../core/config/schema.js';
import { type ErrorCode, errorCatalogue, HelixError } from '../core/errors.js';

/**
 * The AI layer as the core sees it: an HTTP service at `[worker] host:port`, or at the URL a
 * worker started in this process recorded (`hx server start` may have bound port 0).
 */
let localWorkerUrl: string | undefined;

export const setLocalWorkerUrl = (url: string | undefined): void => {
  localWorkerUrl = url;
};

export function workerUrl(config: HelixConfig): string {
  if (localWorkerUrl) return localWorkerUrl;
  const h = config.worker.host === '0.0.0.0' ? '127.0.0.1' : config.worker.host;
  return `http://${h.includes(':') ? `[${h}]` : h}:${config.worker.port}`;
}

/** One call to the AI layer with the caller's credentials; its errors come back as HelixErrors. */
export async function callWorker(
  config: HelixConfig,
  method: string,
  path: string,
  init: { body?: unknown; authorization?: string | undefined; signal?: AbortSignal } = {},
): Promise<Response> {
  const base = workerUrl(config);
  let res: Response;
  try {
    res = await fetch(`${base}${path}`, {
      method,
      headers: {
        ...(init.authorization ? { authorization: init.authorization } : {}),
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: init.signal ?? AbortSignal.timeout(config.worker.request_timeout_secs * 2000),
    });
  } catch (err) {
    throw new HelixError(
      'unavailable',
      `the AI layer at ${base} is unreachable (${(err as Error).message}): start it with \`hx server start\` or \`hx worker start\``,
      { worker_url: base },
    );
  }
  if (res.ok) return res;
  const body = (await res.json().catch(() => null)) as {
    error?: { code?: string; message?: string; details?: Record<string, unknown> };
  } | null;
  const code = (
    body?.error?.code && body.error.code in errorCatalogue ? body.error.code : 'unavailable'
  ) as ErrorCode;
  throw new HelixError(code, body?.error?.message ?? `AI layer: HTTP ${res.status}`, body?.error?.details);
}
