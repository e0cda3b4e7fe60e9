import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/**
 * Helix as an MCP client: connectors stored over REST or declared in `[mcp] servers`, their tools
 * listed and called through the SDK Client, secrets passed by name only, and a circuit breaker
 * per connector that isolates a broken one (fast 503s) while the others keep working, then lets
 * it back after a successful trial call.
 */
const fixture = (name: string) => fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));
const SECRET = 'fixture-secret-value-42';

describe('MCP connectors', () => {
  let s: TestServer;
  let dir: string;
  let heal: string;

  beforeAll(async () => {
    dir = tempDir();
    heal = join(dir, 'healed');
    process.env.HELIX_SECRET_FIXTURE_TOKEN = SECRET;
    s = await startTestServer({
      flags: {
        'mcp.servers': [`cfg=${process.execPath} ${fixture('mcp-echo-server.mjs')}`],
        'mcp.connector_breaker_reset_secs': 1,
        'mcp.connector_timeout_ms': 5000,
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    delete process.env.HELIX_SECRET_FIXTURE_TOKEN;
    removeDir(dir);
  });

  const add = async (body: Record<string, unknown>) => {
    const res = await s.api.post('/api/v1/mcp/connectors', body);
    expect(res.status, res.text).toBe(201);
    return res.body as Json;
  };

  it('stores a stdio connector with secrets by name, lists and calls its tools', async () => {
    const echo = await add({
      name: 'echo',
      transport: 'stdio',
      command: process.execPath,
      args: [fixture('mcp-echo-server.mjs')],
      secret_env: { FIXTURE_TOKEN: 'fixture-token' },
    });
    expect(echo).toMatchObject({
      name: 'echo',
      origin: 'api',
      breaker: 'closed',
      secret_env: { FIXTURE_TOKEN: 'fixture-token' },
    });
    const tools = await s.api.get(`/api/v1/mcp/connectors/${echo.id}/tools`);
    expect(tools.status, tools.text).toBe(200);
    expect(tools.body.tools.map((t: Json) => t.name).sort()).toEqual(['echo', 'secret_length']);
    expect(tools.body.tools.find((t: Json) => t.name === 'echo').input_schema.properties.text.type).toBe(
      'string',
    );
    const called = await s.api.post(`/api/v1/mcp/connectors/${echo.id}/call`, {
      tool: 'echo',
      arguments: { text: 'hi' },
    });
    expect(called.body).toMatchObject({ is_error: false, content: [{ type: 'text', text: 'echo: hi' }] });
    const secret = await s.api.post(`/api/v1/mcp/connectors/${echo.id}/call`, { tool: 'secret_length' });
    expect(secret.body.content[0].text).toBe(String(SECRET.length));
    const all = await s.api.get('/api/v1/mcp/connectors');
    expect(all.text).not.toContain(SECRET);
    expect(all.body.items.map((c: Json) => c.id)).toEqual(expect.arrayContaining(['config:cfg', echo.id]));
  });

  it('serves connectors from [mcp] servers read-only', async () => {
    const tools = await s.api.get('/api/v1/mcp/connectors/config:cfg/tools');
    expect(tools.status, tools.text).toBe(200);
    expect(tools.body.tools).toHaveLength(2);
    const put = await s.api.put('/api/v1/mcp/connectors/config:cfg', {
      name: 'cfg',
      transport: 'http',
      url: 'http://127.0.0.1:1/mcp',
    });
    expect(put.status).toBe(409);
    expect((await s.api.del('/api/v1/mcp/connectors/config:cfg')).status).toBe(409);
  });

  it('isolates a broken connector with its circuit breaker; the others keep working; it recovers', async () => {
    const broken = await add({
      name: 'broken',
      transport: 'stdio',
      command: process.execPath,
      args: [fixture('mcp-broken-server.mjs')],
      env: { FIXTURE_HEAL: heal },
    });
    for (let i = 0; i < 3; i++) {
      const res = await s.api.get(`/api/v1/mcp/connectors/${broken.id}/tools`);
      expect(res.status).toBe(503);
      expect(res.body.error.code).toBe('unavailable');
    }
    const started = performance.now();
    const isolated = await s.api.get(`/api/v1/mcp/connectors/${broken.id}/tools`);
    expect(performance.now() - started).toBeLessThan(200);
    expect(isolated.status).toBe(503);
    expect(isolated.body.error.message).toMatch(/isolated/);
    expect((await s.api.get(`/api/v1/mcp/connectors/${broken.id}`)).body.breaker).toBe('open');
    // a healthy connector is not affected
    expect((await s.api.get('/api/v1/mcp/connectors/config:cfg/tools')).status).toBe(200);

    writeFileSync(heal, 'ok');
    const recovered = await waitFor(
      async () => {
        const res = await s.api.get(`/api/v1/mcp/connectors/${broken.id}/tools`);
        return res.status === 200 ? res : null;
      },
      'the breaker to let a trial call through',
      10_000,
      250,
    );
    expect(recovered.body.breaker).toBe('closed');
  });

  it('validates connectors and refuses duplicate names', async () => {
    const bad = [
      { name: 'x', transport: 'http', url: 'ftp://example.org/mcp' },
      { name: 'x', transport: 'stdio' },
      { name: 'x', transport: 'stdio', command: 'node', secret_env: { TOKEN: 'has spaces in it' } },
      { name: 'bad name!', transport: 'stdio', command: 'node' },
    ];
    for (const body of bad)
      expect((await s.api.post('/api/v1/mcp/connectors', body)).status, JSON.stringify(body)).toBe(400);
    expect(
      (
        await s.api.post('/api/v1/mcp/connectors', {
          name: 'echo',
          transport: 'http',
          url: 'http://127.0.0.1:1/mcp',
        })
      ).status,
    ).toBe(409);
    const http = await add({
      name: 'far',
      transport: 'http',
      url: 'http://127.0.0.1:1/mcp',
      bearer_secret: 'fixture-token',
    });
    const down = await s.api.get(`/api/v1/mcp/connectors/${http.id}/tools`);
    expect(down.status).toBe(503);
    expect(down.text).not.toContain(SECRET);
    expect((await s.api.del(`/api/v1/mcp/connectors/${http.id}`)).status).toBe(204);
    expect((await s.api.get(`/api/v1/mcp/connectors/${http.id}`)).status).toBe(404);
  });
});
