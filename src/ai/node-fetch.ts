import http from 'node:http';
import https from 'node:https';
import type { Readable } from 'node:stream';
import zlib from 'node:zlib';

type Fetch = typeof globalThis.fetch;

/**
 * The `fetch` the SDK's providers call when none is injected: node:http(s) over keep-alive agents,
 * handing back a standard `Response`. Node 20's built-in fetch (undici) spends about 0.5 ms of CPU
 * per completion on its spec machinery (Request objects, body tee, several web streams, a WASM
 * HTTP parser); this path does the same exchange for about half that (docs/benchmarks.md, issue 7).
 * The SDK still builds every request and parses every response.
 *
 * Only the shapes the providers send take this path: http(s) URLs, string or byte bodies, no
 * redirect mode other than follow. Anything else, and any redirect, goes to the built-in fetch.
 * Failures look like the built-in fetch's, which the SDK and `classify` already understand: a
 * network error is `TypeError('fetch failed')` with the socket error as `cause`, and an abort
 * rejects (or errors the body) with the signal's reason.
 */
const agents = {
  'http:': new http.Agent({ keepAlive: true }),
  'https:': new https.Agent({ keepAlive: true }),
};

const decoders: Record<string, () => NodeJS.ReadWriteStream> = {
  gzip: () => zlib.createGunzip(),
  'x-gzip': () => zlib.createGunzip(),
  deflate: () => zlib.createInflate(),
  br: () => zlib.createBrotliDecompress(),
};

function headerRecord(h: RequestInit['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers)
    h.forEach((v, k) => {
      out[k] = v;
    });
  else if (Array.isArray(h)) for (const [k, v] of h as [string, string][]) out[k.toLowerCase()] = v;
  else
    for (const [k, v] of Object.entries(h as Record<string, string | readonly string[] | undefined>))
      if (v !== undefined) out[k.toLowerCase()] = typeof v === 'string' ? v : v.join(', ');
  return out;
}

const fetchFailed = (cause: unknown) => new TypeError('fetch failed', { cause });

/** An abort reason as the built-in fetch reports it (a DOMException AbortError when none was given). */
const reasonOf = (signal: AbortSignal): unknown =>
  signal.reason ?? new DOMException('This operation was aborted', 'AbortError');

/**
 * The body as a web stream, read on demand. A connection lost mid-body errors it the way the
 * built-in fetch does (`TypeError('terminated')` with the socket error as cause); an abort, with
 * the signal's reason.
 */
function webBody(stream: Readable, aborted: () => boolean): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>({
    start(controller) {
      stream.on('data', (chunk: Buffer) => {
        controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
        if ((controller.desiredSize ?? 1) <= 0) stream.pause();
      });
      stream.once('end', () => controller.close());
      stream.once('error', (err) =>
        controller.error(aborted() ? err : new TypeError('terminated', { cause: err })),
      );
    },
    pull() {
      stream.resume();
    },
    cancel() {
      stream.destroy();
    },
  });
}

export const nodeFetch: Fetch = (input, init) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : undefined;
  const body = init?.body;
  const simpleBody = body == null || typeof body === 'string' || body instanceof Uint8Array;
  const agent = url?.startsWith('https:')
    ? agents['https:']
    : url?.startsWith('http:')
      ? agents['http:']
      : undefined;
  if (!url || !agent || !simpleBody || (init?.redirect && init.redirect !== 'follow'))
    return globalThis.fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(reasonOf(signal));
  const headers = headerRecord(init?.headers);
  headers['accept-encoding'] ??= 'gzip, deflate, br';
  const method = (init?.method ?? 'GET').toUpperCase();
  const client = agent === agents['https:'] ? https : http;
  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    let res: http.IncomingMessage | undefined;
    let aborted = false;
    const onAbort = () => {
      aborted = true;
      const reason = reasonOf(signal!);
      if (!settled) {
        settled = true;
        reject(reason);
      }
      req.destroy();
      res?.destroy(reason as Error);
    };
    const req = client.request(url, { method, headers, agent }, (incoming) => {
      res = incoming;
      const status = incoming.statusCode ?? 0;
      // redirects (rare for an API) get the built-in fetch's full handling
      if (status >= 300 && status < 400 && incoming.headers.location) {
        incoming.resume();
        signal?.removeEventListener('abort', onAbort);
        settled = true;
        resolve(globalThis.fetch(input, init));
        return;
      }
      incoming.once('close', () => signal?.removeEventListener('abort', onAbort));
      const responseHeaders = new Headers();
      const raw = incoming.rawHeaders;
      for (let i = 0; i + 1 < raw.length; i += 2) responseHeaders.append(raw[i]!, raw[i + 1]!);
      const encoding = incoming.headers['content-encoding']?.trim().toLowerCase();
      const decode = encoding ? decoders[encoding] : undefined;
      let stream: Readable = incoming;
      if (decode) {
        const d = decode() as unknown as Readable;
        incoming.on('error', (err) => d.destroy(err));
        stream = incoming.pipe(d as unknown as NodeJS.WritableStream) as unknown as Readable;
      }
      // null-body statuses must not carry a body (the Response constructor throws)
      const nullBody = method === 'HEAD' || status === 204 || status === 205 || status === 304;
      if (nullBody) incoming.resume();
      settled = true;
      resolve(
        new Response(nullBody ? null : webBody(stream, () => aborted), {
          status,
          statusText: incoming.statusMessage ?? '',
          headers: responseHeaders,
        }),
      );
    });
    req.on('error', (err) => {
      signal?.removeEventListener('abort', onAbort);
      if (settled) return;
      settled = true;
      reject(fetchFailed(err));
    });
    signal?.addEventListener('abort', onAbort, { once: true });
    req.end(body ?? undefined);
  });
};
