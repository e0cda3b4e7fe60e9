import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ErrorCode, errorCatalogue, HelixError } from '../core/errors.js';
import type { HelixClient } from './client.js';

function query(params: Record<string, unknown>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || (Array.isArray(v) && v.length === 0)) continue;
    q.set(k, Array.isArray(v) ? v.join(',') : String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

/** Talks to a Helix server's REST API; errors come back as the same HelixError the server raised. */
export function httpClient(baseUrl: string, token: string | undefined): HelixClient {
  const base = baseUrl.replace(/\/+$/, '');
  const headers = (extra: Record<string, string> = {}) => ({
    ...(token ? { authorization: `Bearer ${token}` } : {}),
    ...extra,
  });

  async function call(
    method: string,
    path: string,
    init: { body?: unknown; raw?: unknown; type?: string } = {},
  ): Promise<Response> {
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers: headers(
          init.body !== undefined
            ? { 'content-type': 'application/json' }
            : init.type
              ? { 'content-type': init.type }
              : {},
        ),
        body: init.body !== undefined ? JSON.stringify(init.body) : (init.raw as string | undefined),
        ...(init.raw ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (err) {
      throw new HelixError(
        'unavailable',
        `cannot reach the Helix server at ${base}: ${(err as Error).message}`,
      );
    }
    if (!res.ok) {
      const body = (await res.json().catch(() => null)) as {
        error?: { code?: string; message?: string; details?: Record<string, unknown> };
      } | null;
      const code = (
        body?.error?.code && body.error.code in errorCatalogue ? body.error.code : 'internal_error'
      ) as ErrorCode;
      throw new HelixError(
        code,
        body?.error?.message ?? `HTTP ${res.status}`,
        body?.error?.details ?? undefined,
      );
    }
    return res;
  }
  const json = async <T>(method: string, path: string, body?: unknown) =>
    (await call(method, path, { body })).json() as Promise<T>;

  return {
    createNode: (input) => json('POST', '/api/v1/nodes', input),
    getNode: (id) => json('GET', `/api/v1/nodes/${encodeURIComponent(id)}`),
    listNodes: (p) => json('GET', `/api/v1/nodes${query({ ...p })}`),
    search: (p) => json('GET', `/api/v1/search${query({ ...p })}`),
    async importLines(lines, options) {
      const body = Readable.from(
        (async function* () {
          let n = 0;
          for await (const l of lines) {
            yield `${l}\n`;
            if (++n % 1000 === 0) options.onProgress?.(n);
          }
        })(),
      );
      const res = await call('POST', `/api/v1/import${query({ namespace: options.namespace })}`, {
        raw: Readable.toWeb(body),
        type: 'application/x-ndjson',
      });
      return res.json() as never;
    },
    async exportTo(out, options) {
      const res = await call('GET', `/api/v1/export${query({ namespace: options.namespace })}`);
      if (!res.body) return 0;
      let lines = 0;
      const counted = Readable.fromWeb(res.body as never).on('data', (chunk: Buffer) => {
        for (const b of chunk) if (b === 10) lines++;
      });
      await pipeline(counted, out, { end: false });
      return lines;
    },
    stats: () => json('GET', '/api/v1/stats'),
    recall: (body) => json('POST', '/api/v1/recall', body),
    neighbors: (id, p) => json('GET', `/api/v1/graph/neighbors/${encodeURIComponent(id)}${query({ ...p })}`),
    path: (from, to) => json('GET', `/api/v1/graph/path${query({ from, to })}`),
    async close() {},
  };
}
