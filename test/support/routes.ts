import type { FastifyInstance } from 'fastify';
import { buildCoreServer } from '../../src/api/core-server.js';
import { createApp } from '../../src/api/create-app.js';
import { loadConfig } from '../../src/core/config/load.js';
import { removeDir, tempDir } from './temp.js';

export interface RouteEntry {
  method: string;
  /** OpenAPI style: /api/v1/nodes/{id} */
  path: string;
}

/**
 * Every method + path the server registered, read from Fastify's own route table
 * (`printRoutes`), HEAD and OPTIONS left out (Fastify adds them itself).
 */
export function registeredRoutes(server: FastifyInstance): RouteEntry[] {
  const stack: string[] = [];
  const out: RouteEntry[] = [];
  for (const line of server.printRoutes({ commonPrefix: false }).split('\n')) {
    const at = line.search(/[├└]── /);
    if (at < 0) continue;
    const depth = at / 4;
    const m = /^(.*?)(?: \(([^)]*)\))?$/.exec(line.slice(at + 4))!;
    stack.length = depth;
    stack.push(m[1]!);
    for (const method of (m[2] ?? '')
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean)) {
      if (method === 'HEAD' || method === 'OPTIONS') continue;
      out.push({ method, path: stack.join('').replace(/:(\w+)/g, '{$1}') });
    }
  }
  return out;
}

/** The route table of a freshly built (not listening) core server. */
export async function coreRouteTable(): Promise<RouteEntry[]> {
  const home = tempDir();
  const app = createApp(loadConfig({ home, env: {}, cwd: home, flags: {} }));
  try {
    const server = await buildCoreServer(app);
    const routes = registeredRoutes(server);
    await server.close();
    return routes;
  } finally {
    app.close();
    removeDir(home);
  }
}

export interface OpenApiDoc {
  openapi: string;
  paths: Record<string, Record<string, OpenApiOperation>>;
}

export interface OpenApiOperation {
  parameters?: { name: string; in: 'query' | 'path' | 'header'; required?: boolean; schema?: unknown }[];
  requestBody?: { content: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'];

/** Every operation of an OpenAPI document as METHOD + path. */
export function documentedRoutes(doc: OpenApiDoc): (RouteEntry & { op: OpenApiOperation })[] {
  return Object.entries(doc.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([m]) => METHODS.includes(m))
      .map(([m, op]) => ({ method: m.toUpperCase(), path, op })),
  );
}
