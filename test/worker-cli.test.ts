import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnServer, spawnWorker } from './support/cli.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { removeDir, tempDir } from './support/temp.js';

let fake: FakeLlm;
const homes: string[] = [];
const home = () => {
  const h = tempDir();
  homes.push(h);
  return h;
};
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(async () => {
  await fake.close();
  for (const h of homes) removeDir(h);
});

describe('hx server start / hx worker start', { timeout: 120_000 }, () => {
  it('server start runs the AI layer beside the core, wired to it (port 0 with --port 0)', async () => {
    const server = await spawnServer(home(), {
      env: { OPENAI_API_KEY: 'sk-fake', HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}` },
    });
    try {
      const record = JSON.parse(server.firstStdout) as { worker_url?: string };
      expect(record.worker_url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(record.worker_url).not.toMatch(/:8200$/);
      const health = await (await fetch(`${record.worker_url}/health`)).json();
      expect(health).toMatchObject({ status: 'ok', core: { status: 'ok', url: server.url } });
      const gen = await fetch(`${record.worker_url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'through the server' }),
      });
      expect(await gen.json()).toMatchObject({ text: 'Echo: through the server', provider: 'openai' });
    } finally {
      server.child.kill('SIGTERM');
      expect((await server.exited).code).toBe(0);
    }
  });

  it('--no-worker starts the core alone', async () => {
    const server = await spawnServer(home(), { args: ['--no-worker'] });
    try {
      expect(JSON.parse(server.firstStdout)).not.toHaveProperty('worker_url');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  });

  it('worker start runs the AI layer alone; with no core its health is degraded', async () => {
    const worker = await spawnWorker(home(), { args: ['--core-url', 'http://127.0.0.1:9'] });
    try {
      const record = JSON.parse(worker.firstStdout) as { url: string; core_url: string };
      expect(record.core_url).toBe('http://127.0.0.1:9');
      const health = await (await fetch(`${record.url}/health`)).json();
      expect(health).toMatchObject({ status: 'degraded', core: { status: 'unreachable' } });
      const models = (await (await fetch(`${record.url}/api/models`)).json()) as { providers: unknown[] };
      expect(models.providers).toEqual([]);
      const gen = await fetch(`${record.url}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'x' }),
      });
      expect(gen.status).toBe(503);
      expect(((await gen.json()) as { error: { message: string } }).error.message).toMatch(
        /no LLM provider is configured/,
      );
    } finally {
      worker.child.kill('SIGTERM');
      expect((await worker.exited).code).toBe(0);
    }
  });
});
