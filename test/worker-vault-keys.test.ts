import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hx, type ServerProcess, spawnServer, spawnWorker } from './support/cli.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/** Provider keys kept with `hx secret` in the vault reach the AI layer, beside the core or alone. */
const PASS = 'worker vault passphrase';
const dirs: string[] = [];
let fake: FakeLlm;
beforeAll(async () => {
  fake = await startFakeLlm();
});
afterAll(async () => {
  await fake.close();
  dirs.forEach(removeDir);
});

/** a data home whose vault holds OPENAI_API_KEY (sealed: nothing has unsealed it yet) */
async function vaultHome(): Promise<string> {
  const home = tempDir();
  dirs.push(home);
  const env = { HELIX_KEYCHAIN_PASSPHRASE: PASS };
  expect((await hx(['keychain', 'init'], { home, env })).code).toBe(0);
  const set = await hx(['--json', 'secret', 'set', 'OPENAI_API_KEY', '--value', 'sk-from-vault'], {
    home,
    env,
  });
  expect(set.json()).toMatchObject({ backend: 'vault' });
  return home;
}

const providersAt = async (workerUrl: string) =>
  ((await (await fetch(`${workerUrl}/api/models`)).json()) as { providers: { id: string }[] }).providers.map(
    (p) => p.id,
  );

const keychain = (coreUrl: string, action: 'unseal' | 'seal') =>
  fetch(`${coreUrl}/api/v1/keychain/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(action === 'unseal' ? { passphrase: PASS } : {}),
  });

/** a completion through the worker, and the Authorization the provider received */
async function generateVia(workerUrl: string): Promise<string | undefined> {
  const gen = await fetch(`${workerUrl}/api/generate`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ prompt: 'hello from the vault', provider: 'openai', model: 'gpt-4o-mini' }),
  });
  expect(gen.status).toBe(200);
  return fake.calls.at(-1)?.authorization;
}

async function stop(...processes: (ServerProcess | undefined)[]) {
  for (const p of processes) p?.child.kill('SIGTERM');
  await Promise.all(processes.map((p) => p?.exited));
}

describe('provider keys in the vault', () => {
  it('beside the core: configured once the core is unsealed, and used for the call', async () => {
    const home = await vaultHome();
    const server = await spawnServer(home, { env: { HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}` } });
    try {
      const { worker_url: workerUrl } = JSON.parse(server.firstStdout) as { worker_url: string };
      expect(await providersAt(workerUrl)).not.toContain('openai');
      expect((await keychain(server.url, 'unseal')).status).toBe(200);
      expect(await providersAt(workerUrl)).toContain('openai');
      expect(await generateVia(workerUrl)).toBe('Bearer sk-from-vault');
    } finally {
      await stop(server);
    }
  }, 90_000);

  it('hx worker start alone: taken from the core it points at, dropped when the core seals', async () => {
    const home = await vaultHome();
    const core = await spawnServer(home, { args: ['--no-worker'] });
    let worker: ServerProcess | undefined;
    try {
      worker = await spawnWorker(home, {
        args: ['--core-url', core.url],
        env: { HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}`, HELIX_WORKER_KEYS_REFRESH_SECS: '1' },
      });
      const url = worker.url;
      expect(await providersAt(url)).not.toContain('openai');
      expect((await keychain(core.url, 'unseal')).status).toBe(200);
      await waitFor(
        async () => (await providersAt(url)).includes('openai'),
        'openai configured from the core',
      );
      expect(await generateVia(url)).toBe('Bearer sk-from-vault');
      expect((await keychain(core.url, 'seal')).status).toBe(200);
      await waitFor(async () => !(await providersAt(url)).includes('openai'), 'openai gone once sealed');
      // the key never reaches the worker's output or log
      expect(worker.stdout() + worker.stderr()).not.toContain('sk-from-vault');
    } finally {
      await stop(worker, core);
    }
  }, 90_000);
});
