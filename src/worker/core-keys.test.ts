import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Logger } from '../core/logger.js';
import { CoreBridge } from './core-bridge.js';
import { CoreKeys } from './core-keys.js';

/** A loopback stand-in for the core's secret routes, counting the value reads (each audited there). */
function fakeCore(state: {
  vault: string;
  items: { key: string; backend: string; version: number }[];
  valueStatus?: number;
}) {
  const reads: string[] = [];
  const server = createServer((req, res) => {
    const send = (status: number, body: unknown) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (req.url === '/api/v1/secrets/status') return send(200, { vault: state.vault });
    if (req.url === '/api/v1/secrets')
      return send(200, { items: state.items.map((i) => ({ ...i, metadata: {}, updated_at: null })) });
    const key = decodeURIComponent(req.url!.slice('/api/v1/secrets/'.length));
    reads.push(key);
    if (state.valueStatus)
      return send(state.valueStatus, { error: { code: 'forbidden', message: 'admin only' } });
    return send(200, { key, value: `value-of-${key}`, backend: 'vault' });
  });
  return { server, reads };
}

let server: Server | undefined;
afterEach(() => server?.close());

/** a logger that keeps the warnings */
function stubLogger() {
  const warnings: string[] = [];
  const logger = { debug() {}, info() {}, warn: (m: string) => warnings.push(m) } as unknown as Logger;
  return { logger, warnings };
}

async function keysFor(core: ReturnType<typeof fakeCore>) {
  server = core.server;
  await new Promise<void>((r) => core.server.listen(0, '127.0.0.1', r));
  const { port } = core.server.address() as AddressInfo;
  const { logger, warnings } = stubLogger();
  const bridge = new CoreBridge({ baseUrl: `http://127.0.0.1:${port}`, timeoutMs: 2000, retries: 0 });
  return { keys: new CoreKeys(bridge, new Set(['OPENAI_API_KEY', 'ANTHROPIC_API_KEY']), logger), warnings };
}

describe('CoreKeys', () => {
  it('reads values only when the names or the vault state change, and only provider keys', async () => {
    const state = {
      vault: 'sealed',
      items: [
        { key: 'OPENAI_API_KEY', backend: 'vault', version: 1 },
        { key: 'GITHUB_TOKEN', backend: 'vault', version: 1 },
        { key: 'ANTHROPIC_API_KEY', backend: 'env', version: 1 },
      ],
    };
    const core = fakeCore(state);
    const { keys } = await keysFor(core);
    // sealed: nothing to read yet
    expect(await keys.refresh()).toBe(false);
    expect(core.reads).toEqual([]);
    state.vault = 'unsealed';
    expect(await keys.refresh()).toBe(true);
    expect(keys.get('OPENAI_API_KEY')).toBe('value-of-OPENAI_API_KEY');
    // not a provider key, and not the core's own environment
    expect(core.reads).toEqual(['OPENAI_API_KEY']);
    expect(await keys.refresh()).toBe(false);
    expect(await keys.refresh()).toBe(false);
    expect(core.reads).toHaveLength(1);
    // rotated: a new version is read once
    state.items[0]!.version = 2;
    expect(await keys.refresh()).toBe(false);
    expect(core.reads).toHaveLength(2);
    state.vault = 'sealed';
    expect(await keys.refresh()).toBe(true);
    expect(keys.get('OPENAI_API_KEY')).toBeUndefined();
  });

  it('without the admin role it warns once and holds no key', async () => {
    const core = fakeCore({
      vault: 'unsealed',
      items: [{ key: 'OPENAI_API_KEY', backend: 'keyring', version: 1 }],
      valueStatus: 403,
    });
    const { keys, warnings } = await keysFor(core);
    expect(await keys.refresh()).toBe(false);
    expect(await keys.refresh()).toBe(false);
    expect(keys.get('OPENAI_API_KEY')).toBeUndefined();
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/admin role/);
    expect(core.reads).toHaveLength(1);
  });

  it('a core that refuses the worker is asked once, not every check (each refusal is audited there)', async () => {
    let calls = 0;
    const refusing = createServer((_req, res) => {
      calls++;
      res.writeHead(401, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { code: 'unauthenticated', message: 'a token is required' } }));
    });
    const { keys, warnings } = await keysFor({ server: refusing, reads: [] });
    expect(await keys.refresh()).toBe(false);
    const afterFirst = calls;
    expect(await keys.refresh()).toBe(false);
    expect(calls).toBe(afterFirst);
    expect(warnings).toHaveLength(1);
  });

  it('a core that does not answer keeps the keys held and never throws', async () => {
    const { logger } = stubLogger();
    const bridge = new CoreBridge({ baseUrl: 'http://127.0.0.1:9', timeoutMs: 500, retries: 0 });
    const keys = new CoreKeys(bridge, new Set(['OPENAI_API_KEY']), logger);
    expect(await keys.refresh()).toBe(false);
    expect(keys.get('OPENAI_API_KEY')).toBeUndefined();
  });
});
