import { afterAll, describe, expect, it } from 'vitest';
import { hx, spawnServer } from './support/cli.js';
import { type FakeLlm, startFakeLlm } from './support/fake-llm.js';
import { removeDir, tempDir } from './support/temp.js';

/** `hx server start`: the AI layer beside the core reads provider keys kept with `hx secret`. */
const PASS = 'worker vault passphrase';
const dirs: string[] = [];
let fake: FakeLlm | undefined;
afterAll(async () => {
  await fake?.close();
  dirs.forEach(removeDir);
});

describe('provider keys in the vault', () => {
  it('are configured once the core is unsealed, and used for the call', async () => {
    fake = await startFakeLlm();
    const home = tempDir();
    dirs.push(home);
    const env = { HELIX_KEYCHAIN_PASSPHRASE: PASS };
    expect((await hx(['keychain', 'init'], { home, env })).code).toBe(0);
    const set = await hx(['--json', 'secret', 'set', 'OPENAI_API_KEY', '--value', 'sk-from-vault'], {
      home,
      env,
    });
    expect(set.json()).toMatchObject({ backend: 'vault' });

    const server = await spawnServer(home, { env: { HELIX_WORKER_BASE_URLS: `openai=${fake.openaiBase}` } });
    try {
      const { worker_url: workerUrl } = JSON.parse(server.firstStdout) as { worker_url: string };
      const providers = async () =>
        (
          (await (await fetch(`${workerUrl}/api/models`)).json()) as { providers: { id: string }[] }
        ).providers.map((p) => p.id);
      expect(await providers()).not.toContain('openai');
      const unseal = await fetch(`${server.url}/api/v1/keychain/unseal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ passphrase: PASS }),
      });
      expect(unseal.status).toBe(200);
      expect(await providers()).toContain('openai');
      const gen = await fetch(`${workerUrl}/api/generate`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ prompt: 'hello from the vault', provider: 'openai', model: 'gpt-4o-mini' }),
      });
      expect(gen.status).toBe(200);
      expect(fake.calls.at(-1)?.authorization).toBe('Bearer sk-from-vault');
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);
});
