import { afterAll, describe, expect, it } from 'vitest';
import { hx, spawnServer } from './support/cli.js';
import { callError, stdioClient } from './support/mcp.js';
import { removeDir, tempDir } from './support/temp.js';

/** Encryption at rest from the real CLI and server (`npm run build` first). */
const PASS = 'cli at-rest passphrase';
const dirs: string[] = [];
afterAll(() => dirs.forEach(removeDir));

describe('encryption at rest from hx and the server', () => {
  it('hx encryption migrate seals an existing vault; hx asks for the key; a sealed server answers 503 until unsealed', async () => {
    const home = tempDir();
    dirs.push(home);
    const key = { HELIX_KEYCHAIN_PASSPHRASE: PASS, HELIX_EMBEDDING_PROVIDER: 'hash' };
    const on = { ...key, HELIX_ENCRYPTION_ENABLED: 'true' };
    expect((await hx(['keychain', 'init'], { home, env: key })).code).toBe(0);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      const r = await hx(['--json', 'store', `gazebo ledger entry ${i}`, '--title', `Ledger ${i}`], {
        home,
        env: key,
      });
      expect(r.code, r.stderr).toBe(0);
      ids.push(r.json<{ id: string }>().id);
    }
    expect((await hx(['--json', 'encryption', 'status'], { home, env: on })).json()).toMatchObject({
      target: 'sealed',
      plaintext_nodes: 5,
      remaining: 10,
    });
    const migrated = await hx(['--json', 'encryption', 'migrate'], { home, env: on });
    expect(migrated.code, migrated.stderr).toBe(0);
    expect(migrated.json()).toMatchObject({ done: 5, status: { sealed_nodes: 5, remaining: 0 } });

    const got = await hx(['--json', 'get', ids[2]!], { home, env: on });
    expect(got.json()).toMatchObject({ title: 'Ledger 2', content: 'gazebo ledger entry 2' });
    // no passphrase and no terminal: a clear refusal, not ciphertext
    const refused = await hx(['get', ids[2]!], { home, env: { HELIX_ENCRYPTION_ENABLED: 'true' } });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('gazebo');
    expect(refused.stderr).toMatch(/passphrase/i);
    const stats = await hx(['stats'], { home, env: on });
    expect(stats.stdout).toContain('encryption at rest: on');

    // hx mcp cannot prompt (stdin is the protocol): the passphrase comes from the environment,
    // and without it the server still starts and says why its tools answer vault_sealed
    const mcp = await stdioClient(home, [], on);
    try {
      const found = await mcp.client.callTool({ name: 'helix_search', arguments: { query: 'gazebo' } });
      expect(JSON.stringify(found.content)).toContain('Ledger');
    } finally {
      await mcp.client.close();
    }
    const locked = await stdioClient(home, [], { HELIX_ENCRYPTION_ENABLED: 'true' });
    try {
      expect((await callError(locked.client, 'helix_get_node', { id: ids[1]! })).error?.code).toBe(
        'vault_sealed',
      );
      expect(locked.stderr()).toContain('encrypted at rest and no passphrase');
    } finally {
      await locked.client.close();
    }

    // written while encryption is off: plaintext, until a server with it on is unsealed
    const late = await hx(['--json', 'store', 'gazebo late entry', '--title', 'Late'], { home, env: key });
    expect(late.code, late.stderr).toBe(0);
    expect((await hx(['--json', 'encryption', 'status'], { home, env: on })).json()).toMatchObject({
      plaintext_nodes: 1,
    });

    const server = await spawnServer(home, {
      env: { HELIX_ENCRYPTION_ENABLED: 'true', HELIX_EMBEDDING_PROVIDER: 'hash' },
    });
    try {
      const sealed = await fetch(`${server.url}/api/v1/nodes/${ids[0]}`);
      expect(sealed.status).toBe(503);
      expect(((await sealed.json()) as { error: { code: string } }).error.code).toBe('vault_sealed');
      const unseal = await fetch(`${server.url}/api/v1/keychain/unseal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ passphrase: PASS }),
      });
      expect(unseal.status).toBe(200);
      const node = (await (await fetch(`${server.url}/api/v1/nodes/${ids[0]}`)).json()) as {
        content: string;
      };
      expect(node.content).toBe('gazebo ledger entry 0');
      const search = (await (await fetch(`${server.url}/api/v1/search?q=gazebo`)).json()) as {
        results: unknown[];
      };
      expect(search.results).toHaveLength(6);
      // the server seals the late note in the background once it holds the key
      let status: { plaintext_nodes: number; sealed_nodes: number } | undefined;
      for (let i = 0; i < 50; i++) {
        status = (await hx(['--json', 'encryption', 'status'], { home, env: on })).json();
        if (status?.plaintext_nodes === 0) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toMatchObject({ plaintext_nodes: 0, sealed_nodes: 6 });
    } finally {
      server.child.kill('SIGTERM');
      await server.exited;
    }
  }, 90_000);
});
