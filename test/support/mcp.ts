import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { cleanEnv, hxBin } from './cli.js';
import type { Json } from './http.js';

/** The SDK's own client on `hx --home H mcp [args]` over stdio. */
export async function stdioClient(home: string, args: string[] = [], env: Record<string, string> = {}) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [hxBin, '--home', home, 'mcp', ...args],
    env: cleanEnv(env) as Record<string, string>,
    stderr: 'pipe',
  });
  let stderr = '';
  transport.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const client = new Client({ name: 'helix-test', version: '1.0.0' });
  try {
    await client.connect(transport);
  } catch (err) {
    throw new Error(`hx mcp did not start: ${(err as Error).message}\n${stderr}`);
  }
  return { client, transport, stderr: () => stderr };
}

/** The SDK's Streamable HTTP client on a server's /mcp with a bearer value. */
export async function httpClient(url: string, bearer?: string) {
  const client = new Client({ name: 'helix-test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(`${url}/mcp`), {
    requestInit: { headers: bearer ? { authorization: `Bearer ${bearer}` } : {} },
  });
  await client.connect(transport);
  return client;
}

/** A tool call's structured content (the test fails loudly on a tool error). */
export async function call<T = Json>(
  client: Client,
  name: string,
  args: Record<string, unknown> = {},
): Promise<{ text: string; data: T; raw: CallToolResult }> {
  const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = raw.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  if (raw.isError) throw new Error(`${name} failed: ${text}`);
  return { text, data: raw.structuredContent as T, raw };
}

/** A tool call expected to fail: its error text and structured error. */
export async function callError(client: Client, name: string, args: Record<string, unknown> = {}) {
  const raw = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const text = raw.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  if (!raw.isError) throw new Error(`${name} succeeded but should have failed: ${text}`);
  return { text, error: (raw.structuredContent as { error?: { code: string } } | undefined)?.error };
}

export const tokensOf = (r: CallToolResult) =>
  Math.ceil((JSON.stringify(r.content).length + JSON.stringify(r.structuredContent ?? {}).length) / 4);
