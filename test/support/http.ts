/** Response bodies are whatever the server sent; tests assert on their shape. */
// biome-ignore lint/suspicious/noExplicitAny: a test's view of arbitrary JSON
export type Json = any;

/** A small fetch wrapper over a real socket: JSON in, parsed JSON (or text) out, never throws on a status. */
export interface HttpResult<T = Json> {
  status: number;
  headers: Headers;
  /** parsed JSON when the response is JSON, else the text */
  body: T;
  text: string;
}

export interface RequestOptions {
  /** sent as JSON with content-type application/json */
  json?: unknown;
  /** sent as is */
  body?: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface Api {
  url: string;
  request<T = Json>(method: string, path: string, options?: RequestOptions): Promise<HttpResult<T>>;
  get<T = Json>(path: string, headers?: Record<string, string>): Promise<HttpResult<T>>;
  post<T = Json>(path: string, json?: unknown, headers?: Record<string, string>): Promise<HttpResult<T>>;
  put<T = Json>(path: string, json?: unknown, headers?: Record<string, string>): Promise<HttpResult<T>>;
  del<T = Json>(path: string, headers?: Record<string, string>): Promise<HttpResult<T>>;
}

export function apiClient(url: string, defaults: { token?: string } = {}): Api {
  const request = async <T>(
    method: string,
    path: string,
    options: RequestOptions = {},
  ): Promise<HttpResult<T>> => {
    const headers: Record<string, string> = {
      ...(defaults.token ? { authorization: `Bearer ${defaults.token}` } : {}),
      ...(options.json !== undefined ? { 'content-type': 'application/json' } : {}),
      ...options.headers,
    };
    const body = options.json !== undefined ? JSON.stringify(options.json) : options.body;
    const res = await fetch(`${url}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('json') && text !== '') {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.status, headers: res.headers, body: parsed as T, text };
  };
  return {
    url,
    request,
    get: (path, headers) => request('GET', path, headers ? { headers } : {}),
    post: (path, json, headers) =>
      request('POST', path, { json: json ?? {}, ...(headers ? { headers } : {}) }),
    put: (path, json, headers) => request('PUT', path, { json: json ?? {}, ...(headers ? { headers } : {}) }),
    del: (path, headers) => request('DELETE', path, headers ? { headers } : {}),
  };
}

/** `?a=1&b=x` from an object, skipping undefined. */
export const qs = (params: Record<string, string | number | undefined>): string => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  const s = q.toString();
  return s ? `?${s}` : '';
};

/** Follows `next_cursor` from page to page; returns every item id, in order, and the page count. */
export async function walkPages(api: Api, path: string, params: Record<string, string | number> = {}) {
  const ids: string[] = [];
  let cursor: string | undefined;
  let pages = 0;
  do {
    const res = await api.get(`${path}${qs({ ...params, cursor })}`);
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${res.text}`);
    if (Object.keys(res.body).sort().join() !== 'items,next_cursor')
      throw new Error(`not a page: ${res.text}`);
    ids.push(...(res.body.items as { id: string }[]).map((n) => n.id));
    cursor = res.body.next_cursor ?? undefined;
    pages++;
  } while (cursor && pages < 1000);
  return { ids, pages };
}

/** The `error` of a response in the one error shape, or a thrown description of what came instead. */
export function errorOf(res: HttpResult): {
  code: string;
  message: string;
  details: unknown;
  request_id: string;
} {
  const e = res.body?.error;
  if (
    !e ||
    typeof e.code !== 'string' ||
    typeof e.message !== 'string' ||
    typeof e.request_id !== 'string' ||
    !('details' in e)
  ) {
    throw new Error(`not the Helix error shape (${res.status}): ${res.text.slice(0, 300)}`);
  }
  return e;
}
