import { type App, createApp } from '../api/create-app.js';
import type { HelixClient } from './client.js';
import { httpClient } from './client-http.js';
import { localClient } from './client-local.js';
import { type GlobalOptions, loadFor } from './load.js';
import { nodesNeedKey, unlockForNodes } from '../vault/cli/unlock.js';

export type { GlobalOptions };

/** Opens the local data home for one command; logs go to the log file, never the terminal. */
export function openLocal(opts: GlobalOptions, flags: Record<string, unknown> = {}): App {
  const loaded = loadFor(opts, flags);
  return createApp(loaded);
}

export async function withLocal<T>(opts: GlobalOptions, fn: (app: App) => Promise<T> | T): Promise<T> {
  const app = openLocal(opts);
  try {
    return await fn(app);
  } finally {
    app.close();
  }
}

/** The local data home, or the server named by --server / HELIX_SERVER_URL. */
export function clientFor(opts: GlobalOptions): HelixClient {
  const server = opts.server ?? process.env.HELIX_SERVER_URL;
  if (server) return httpClient(server, opts.token ?? process.env.HELIX_AUTH_TOKEN);
  return localClient(openLocal(opts));
}

export async function withClient<T>(opts: GlobalOptions, fn: (c: HelixClient) => Promise<T>): Promise<T> {
  let client: HelixClient;
  const server = opts.server ?? process.env.HELIX_SERVER_URL;
  if (server) client = httpClient(server, opts.token ?? process.env.HELIX_AUTH_TOKEN);
  else {
    const app = openLocal(opts);
    try {
      // only awaits when a passphrase is needed: a caller's stream that is already flowing must
      // not lose data to an idle await
      if (nodesNeedKey(app)) await unlockForNodes(app);
    } catch (err) {
      app.close();
      throw err;
    }
    client = localClient(app);
  }
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}
