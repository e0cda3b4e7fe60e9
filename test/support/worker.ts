import { envKeys } from '../../src/ai/catalog.js';
import { loadConfig } from '../../src/core/config/load.js';
import { silentLogger } from '../../src/core/logger.js';
import { type RunningWorker, startWorkerServer } from '../../src/worker/run-worker.js';
import { fakeBaseUrls, fakeProviderEnv } from './ai.js';
import type { FakeLlm } from './fake-llm.js';
import { type Api, apiClient } from './http.js';
import { removeDir, tempDir } from './temp.js';

export interface TestWorker {
  url: string;
  api: Api;
  home: string;
  running: RunningWorker;
  close(): Promise<void>;
}

/** A real AI layer on port 0 in a temp home, its providers pointed at the fake, keys injected. */
export async function startTestWorker(
  fake: FakeLlm,
  options: {
    flags?: Record<string, unknown>;
    env?: Record<string, string>;
    home?: string;
    token?: string;
  } = {},
): Promise<TestWorker> {
  const home = options.home ?? tempDir();
  const loaded = loadConfig({
    home,
    env: {},
    cwd: home,
    flags: {
      'worker.port': 0,
      'worker.core_url': 'http://127.0.0.1:9', // discard port: nothing answers unless a test says so
      'worker.base_urls': fakeBaseUrls(fake),
      ...options.flags,
    },
  });
  const running = await startWorkerServer(loaded, {
    logger: silentLogger(),
    resolveKey: envKeys(options.env ?? fakeProviderEnv),
  });
  return {
    url: running.url,
    home,
    api: apiClient(running.url, options.token ? { token: options.token } : {}),
    running,
    async close() {
      await running.close();
      if (!options.home) removeDir(home);
    },
  };
}

/** Reads an SSE body into its events. */
export function parseSse(text: string): { event: string; data: Record<string, unknown> }[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const event = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
      const data = JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? 'null') as Record<string, unknown>;
      return { event, data };
    });
}
