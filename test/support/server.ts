import { type RunningServer, startCoreServer } from '../../src/api/run-server.js';
import { loadConfig } from '../../src/core/config/load.js';
import { type Api, apiClient } from './http.js';
import { removeDir, tempDir } from './temp.js';

export interface TestServer {
  url: string;
  port: number;
  home: string;
  api: Api;
  running: RunningServer;
  /** stops the server and (unless the home was given) removes the temp home */
  close(): Promise<void>;
}

export interface TestServerOptions {
  /** `section.key` overrides, as on the command line */
  flags?: Record<string, unknown>;
  /** reuse a home (left in place on close) */
  home?: string;
  token?: string;
}

/** A real core server on port 0 in a fresh temp HELIX_HOME, with no environment leaking in. */
export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const home = options.home ?? tempDir();
  const loaded = loadConfig({
    home,
    env: {},
    cwd: home,
    // gRPC on port 0 too, so test files running in parallel never collide on 50051
    flags: { 'server.rest_port': 0, 'server.grpc_port': 0, 'embedding.provider': 'hash', ...options.flags },
  });
  let running: RunningServer;
  try {
    running = await startCoreServer(loaded);
  } catch (err) {
    if (!options.home) removeDir(home);
    throw err;
  }
  return {
    url: running.url,
    port: running.port,
    home,
    api: apiClient(running.url, options.token ? { token: options.token } : {}),
    running,
    async close() {
      await running.close();
      if (!options.home) removeDir(home);
    },
  };
}
