import { createRequire } from 'node:module';

interface HeaderSink {
  setHeader(name: string, value: string): void;
  removeHeader(name: string): void;
}
type Middleware = (req: unknown, res: HeaderSink, next: (err?: unknown) => void) => void;

// the helmet that @fastify/helmet depends on, resolved from there (it is not our direct dependency)
const require = createRequire(import.meta.url);
const helmet = createRequire(require.resolve('@fastify/helmet'))('helmet') as {
  default: (options: object) => Middleware;
};

export interface SecurityHeaders {
  set: readonly (readonly [string, string])[];
  removed: readonly string[];
}

/**
 * The headers helmet sets for `options`, computed once. @fastify/helmet rebuilds the helmet
 * middleware (and re-parses the CSP directives) on every request; with no nonces and no
 * per-request directives the result is the same every time, so the pipeline applies this list.
 */
export function securityHeaders(options: object): SecurityHeaders {
  const set: [string, string][] = [];
  const removed: string[] = [];
  let failure: unknown;
  helmet.default(options)(
    {},
    {
      setHeader: (name, value) => void set.push([name.toLowerCase(), String(value)]),
      removeHeader: (name) => void removed.push(name.toLowerCase()),
    },
    (err) => {
      failure = err;
    },
  );
  if (failure) throw failure;
  return { set, removed };
}
