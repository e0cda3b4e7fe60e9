import { spawn } from 'node:child_process';
import type { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { ResourceListChangedNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { createNode, updateNode } from '../src/knowledge/nodes/service.js';
import { createRelationship } from '../src/knowledge/relationships/service.js';
import { cleanEnv, hxBin } from './support/cli.js';
import type { Json } from './support/http.js';
import { call, callError, stdioClient, tokensOf } from './support/mcp.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/**
 * `hx mcp` driven by the MCP SDK's own Client over stdio: every tool, the resources and prompts,
 * paging under the token budget, change notifications, and protocol robustness on raw lines.
 */
const TOOLS = [
  'helix_delete_node',
  'helix_get_node',
  'helix_link',
  'helix_list_nodes',
  'helix_list_recent',
  'helix_neighbors',
  'helix_propose_node',
  'helix_propose_tag',
  'helix_propose_update',
  'helix_recall',
  'helix_search',
  'helix_search_vault',
  'helix_store',
  'helix_update_node',
];

describe('hx mcp over stdio', () => {
  let home: string;
  let mcp: Awaited<ReturnType<typeof stdioClient>>;
  let client: Client;
  const ids: Record<string, string> = {};

  beforeAll(async () => {
    home = tempDir();
    const app = createApp(loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash' } }), {
      logger: silentLogger(),
    });
    const { ctx } = app;
    const a = createNode(ctx, {
      kind: 'decision',
      title: 'Pick SQLite',
      content: 'We chose SQLite with WAL for the storage engine because it is embedded.',
      tags: ['storage', 'arch'],
      importance: 0.8,
      metadata: {},
    });
    const b = createNode(ctx, {
      kind: 'fact',
      title: 'WAL mode',
      content: 'Write-ahead logging lets readers proceed while a writer commits.',
      tags: ['storage'],
      importance: 0.5,
      metadata: {},
    });
    const vault = createNode(ctx, {
      kind: 'fact',
      title: 'Gardening',
      content: 'Tomatoes need sun and storage of seeds in a dry place.',
      source: 'obsidian://garden/tomatoes.md',
      tags: [],
      importance: 0.5,
      metadata: {},
    });
    // many long notes so that a broad query needs more than one page
    for (let i = 0; i < 60; i++)
      createNode(ctx, {
        kind: 'fact',
        title: `Storage note ${i}`,
        content: `storage detail ${i}: ${'lorem ipsum dolor sit amet '.repeat(40)}`,
        tags: ['bulk'],
        importance: 0.5,
        metadata: {},
      });
    createRelationship(ctx, { from_node: a.id, to_node: b.id, kind: 'depends_on', weight: 1, metadata: {} });
    Object.assign(ids, { a: a.id, b: b.id, vault: vault.id });
    app.close();
    mcp = await stdioClient(home);
    client = mcp.client;
  }, 60_000);

  afterAll(async () => {
    await client?.close();
    removeDir(home);
  });

  it('initializes with tools, resources and prompts, and lists all of them', async () => {
    expect(client.getServerVersion()?.name).toBe('helix');
    const caps = client.getServerCapabilities();
    expect(caps?.tools).toBeTruthy();
    expect(caps?.resources).toMatchObject({ listChanged: true, subscribe: true });
    const tools = (await client.listTools()).tools;
    expect(tools.map((t) => t.name).sort()).toEqual(TOOLS);
    for (const t of tools) {
      expect(t.description?.length, t.name).toBeGreaterThan(30);
      expect(t.inputSchema.type).toBe('object');
    }
    const search = tools.find((t) => t.name === 'helix_search')!;
    expect(Object.keys(search.inputSchema.properties ?? {})).toEqual(
      expect.arrayContaining(['query', 'limit', 'cursor']),
    );
    expect(tools.find((t) => t.name === 'helix_propose_tag')!.inputSchema.required).toEqual(
      expect.arrayContaining(['target_node_id', 'tag']),
    );
    const templates = (await client.listResourceTemplates()).resourceTemplates;
    expect(templates.map((t) => t.uriTemplate)).toContain('helix://node/{id}');
    const resources = (await client.listResources()).resources.map((r) => r.uri);
    expect(resources).toEqual(expect.arrayContaining(['helix://recent', 'helix://tags']));
    // the template's listing stays small: recent nodes, never the whole graph
    expect(resources.filter((u) => u.startsWith('helix://node/')).length).toBeLessThanOrEqual(25);
    const prompts = (await client.listPrompts()).prompts.map((p) => p.name).sort();
    expect(prompts).toEqual(['daily_review', 'summarize_topic']);
  });

  it('search and recall answer in one line per hit, under 2k tokens, with a working cursor', async () => {
    const first = await call(client, 'helix_search', { query: 'storage' });
    expect(tokensOf(first.raw)).toBeLessThan(2000);
    expect(first.data.items.length).toBeGreaterThan(1);
    expect(first.data.next_cursor).toEqual(expect.any(String));
    for (const item of first.data.items as Json[]) expect(first.text).toContain(`id=${item.id}`);
    const second = await call(client, 'helix_search', { query: 'storage', cursor: first.data.next_cursor });
    const seen = new Set((first.data.items as Json[]).map((i) => i.id));
    expect((second.data.items as Json[]).some((i) => seen.has(i.id))).toBe(false);
    // a cursor is bound to its query
    const misuse = await callError(client, 'helix_search', {
      query: 'other',
      cursor: first.data.next_cursor,
    });
    expect(misuse.error?.code).toBe('validation_error');

    const small = await call(client, 'helix_search', { query: 'storage', limit: 2 });
    expect(small.data.items).toHaveLength(2);

    const recall = await call(client, 'helix_recall', { query: 'which database engine did we choose' });
    expect(tokensOf(recall.raw)).toBeLessThan(2000);
    expect((recall.data.items as Json[]).map((i) => i.id)).toContain(ids.a);
  });

  it('get_node reads a node as markdown with its links and backlinks; long content is sliced', async () => {
    const a = await call(client, 'helix_get_node', { id: ids.a });
    expect(a.text).toMatch(/^# Pick SQLite/);
    expect(a.text).toContain('depends_on: WAL mode');
    expect(a.data.links[0]).toMatchObject({ id: ids.b, relation: 'depends_on' });
    const b = await call(client, 'helix_get_node', { id: ids.b });
    expect(b.data.backlinks[0]).toMatchObject({ id: ids.a });

    const long = await call(client, 'helix_store', { content: 'x'.repeat(30_000), title: 'Long one' });
    const id = long.data.node.id as string;
    let cursor: string | undefined;
    let text = '';
    let pages = 0;
    do {
      const page = await call(client, 'helix_get_node', { id, ...(cursor ? { cursor } : {}) });
      expect(tokensOf(page.raw)).toBeLessThan(2000);
      text += page.data.content;
      cursor = page.data.next_cursor ?? undefined;
      pages++;
    } while (cursor && pages < 50);
    expect(text).toBe('x'.repeat(30_000));
    expect(pages).toBeGreaterThan(5);
    await call(client, 'helix_delete_node', { id });

    const missing = await callError(client, 'helix_get_node', { id: '01900000-0000-7000-8000-000000000000' });
    expect(missing.error?.code).toBe('not_found');
  });

  it('lists, lists recent, searches the vault and walks neighbors', async () => {
    const list = await call(client, 'helix_list_nodes', { kind: ['decision'] });
    expect((list.data.items as Json[]).map((i) => i.id)).toEqual([ids.a]);
    const paged = await call(client, 'helix_list_nodes', { tag: ['bulk'], limit: 5 });
    expect(paged.data.items).toHaveLength(5);
    const next = await call(client, 'helix_list_nodes', {
      tag: ['bulk'],
      limit: 5,
      cursor: paged.data.next_cursor,
    });
    expect(next.data.items[0].id).not.toBe(paged.data.items[0].id);

    const recent = await call(client, 'helix_list_recent', { limit: 3 });
    expect(recent.data.items).toHaveLength(3);
    expect(recent.data.next_cursor).toEqual(expect.any(String));

    const vault = await call(client, 'helix_search_vault', { query: 'storage' });
    expect((vault.data.items as Json[]).map((i) => i.id)).toEqual([ids.vault]);
    expect(vault.data.items[0].path).toBe('garden/tomatoes.md');

    const around = await call(client, 'helix_neighbors', { id: ids.b });
    expect((around.data.items as Json[]).map((i) => i.id)).toEqual([ids.a]);
  });

  it('stores, updates, links and deletes; the owner proposes and the proposal waits', async () => {
    const stored = await call(client, 'helix_store', {
      content: 'Ship the MCP server on Friday',
      title: 'Ship MCP',
      kind: 'task',
      tags: ['release'],
    });
    expect(stored.data.written).toBe(true);
    const id = stored.data.node.id as string;
    const updated = await call(client, 'helix_update_node', {
      id,
      tags: ['release', 'mcp'],
      expected_version: 1,
    });
    expect(updated.data.node.tags).toEqual(['mcp', 'release']);
    const conflict = await callError(client, 'helix_update_node', { id, title: 'x', expected_version: 1 });
    expect(conflict.error?.code).toBe('version_conflict');
    const linked = await call(client, 'helix_link', { from_id: id, to_id: ids.a, relation: 'references' });
    expect(linked.data.relationship.kind).toBe('references');

    const proposed = await call(client, 'helix_propose_tag', {
      target_node_id: id,
      tag: 'urgent',
      confidence: 0.4,
    });
    expect(proposed.data.proposal).toMatchObject({ action: 'tag', status: 'pending', target_node_id: id });
    const node = await call(client, 'helix_propose_node', {
      content: 'maybe remember this',
      reason: 'seen twice',
    });
    expect(node.data.proposal).toMatchObject({ action: 'create', status: 'pending' });
    const upd = await call(client, 'helix_propose_update', { id, content: 'Ship it on Monday' });
    expect(upd.data.proposal).toMatchObject({ action: 'update', status: 'pending' });
    // nothing was applied
    const still = await call(client, 'helix_get_node', { id });
    expect(still.data.node.tags).toEqual(['mcp', 'release']);
    expect(still.data.content).toBe('Ship the MCP server on Friday');

    await call(client, 'helix_delete_node', { id });
    expect((await callError(client, 'helix_get_node', { id })).error?.code).toBe('not_found');
  });

  it('reads resources and prompts', async () => {
    const node = await client.readResource({ uri: `helix://node/${ids.a}` });
    const text = (node.contents[0] as { text: string }).text;
    expect(text).toMatch(/^# Pick SQLite/);
    expect(text).toContain(`helix://node/${ids.b}`);
    const recent = await client.readResource({ uri: 'helix://recent' });
    expect((recent.contents[0] as { text: string }).text).toContain('# Recently changed');
    const tags = await client.readResource({ uri: 'helix://tags' });
    expect((tags.contents[0] as { text: string }).text).toMatch(/#bulk \(60\)/);
    await expect(client.readResource({ uri: 'helix://node/not-a-node' })).rejects.toThrow(/not found/);

    const summary = await client.getPrompt({
      name: 'summarize_topic',
      arguments: { topic: 'SQLite storage' },
    });
    const body = (summary.messages[0]!.content as { text: string }).text;
    expect(body).toContain('Pick SQLite');
    expect(body.length / 4).toBeLessThan(2000);
    const review = await client.getPrompt({ name: 'daily_review', arguments: {} });
    expect((review.messages[0]!.content as { text: string }).text).toContain('## Open tasks');
  });

  it('announces resource-list changes and updates of a subscribed node', async () => {
    let listChanged = 0;
    client.setNotificationHandler(ResourceListChangedNotificationSchema, () => {
      listChanged++;
    });
    const updates: string[] = [];
    client.fallbackNotificationHandler = async (n) => {
      if (n.method === 'notifications/resources/updated') updates.push((n.params as { uri: string }).uri);
    };
    await client.subscribeResource({ uri: `helix://node/${ids.b}` });
    await call(client, 'helix_store', { content: 'a change to announce' });
    await waitFor(() => listChanged > 0, 'resources/list_changed');
    // a write by another process (as the server or an import would make) is announced too
    const other = createApp(
      loadConfig({ home, env: {}, cwd: home, flags: { 'embedding.provider': 'hash' } }),
      {
        logger: silentLogger(),
      },
    );
    try {
      updateNode(other.ctx, ids.b!, { importance: 0.9 });
    } finally {
      other.close();
    }
    await waitFor(() => updates.includes(`helix://node/${ids.b}`), 'resources/updated');
  });

  it('wrong argument types and oversized arguments are tool errors; the session goes on', async () => {
    const wrong = await callError(client, 'helix_search', { query: 42 });
    expect(wrong.text).toMatch(/query/);
    const missing = await callError(client, 'helix_get_node', {});
    expect(missing.text).toMatch(/id/);
    const huge = await callError(client, 'helix_search', {
      query: 'x',
      tag: Array.from({ length: 20_000 }, () => 'a'),
    });
    expect(huge.text).toMatch(/maximum|too big|at most/i);
    const unknown = await client.callTool({ name: 'helix_nope', arguments: {} });
    expect(unknown.isError).toBe(true);
    expect((await call(client, 'helix_search', { query: 'SQLite' })).data.items.length).toBeGreaterThan(0);
  });
});

describe('hx mcp protocol robustness on raw stdin lines', () => {
  it('answers garbage with JSON-RPC errors, keeps serving, and prints nothing but protocol', async () => {
    const home = tempDir();
    const child = spawn(process.execPath, [hxBin, '--home', home, 'mcp'], {
      env: cleanEnv(),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    const send = (line: string) => child.stdin.write(`${line}\n`);
    const messages = () =>
      out
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Json);
    const reply = async (id: number | null, n = 1): Promise<Json[]> => {
      const found = () => messages().filter((m) => m.id === id);
      await waitFor(() => found().length >= n, `reply ${id}`);
      return found();
    };
    try {
      send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 1,
          method: 'initialize',
          params: {
            protocolVersion: '2025-06-18',
            capabilities: {},
            clientInfo: { name: 'raw', version: '1' },
          },
        }),
      );
      await reply(1);
      send(JSON.stringify({ jsonrpc: '2.0', method: 'notifications/initialized' }));
      send('{"jsonrpc": "2.0", "id": 2, "method": ');
      expect((await reply(null))[0].error.code).toBe(-32700);
      send(JSON.stringify({ jsonrpc: '2.0', id: 3, method: 'no/such/method' }));
      expect((await reply(3))[0].error.code).toBe(-32601);
      send(JSON.stringify({ id: 4, method: 'tools/list' }));
      expect((await reply(4))[0].error.code).toBe(-32600);
      send(JSON.stringify([{ jsonrpc: '2.0', id: 5, method: 'tools/list' }]));
      expect((await reply(null, 2))[1].error.code).toBe(-32600);
      send(JSON.stringify({ jsonrpc: '2.0', id: 6, method: 'tools/call', params: { arguments: {} } }));
      expect((await reply(6))[0].error.code).toBe(-32602);
      send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 7,
          method: 'tools/call',
          params: { name: 'helix_store', arguments: { content: 'y'.repeat(9 * 1024 * 1024) } },
        }),
      );
      expect((await reply(null, 3))[2].error.code).toBe(-32600);
      send(
        JSON.stringify({
          jsonrpc: '2.0',
          id: 8,
          method: 'tools/call',
          params: { name: 'helix_store', arguments: { content: 'z'.repeat(2 * 1024 * 1024) } },
        }),
      );
      const tooBig = (await reply(8))[0].result;
      expect(tooBig.isError).toBe(true);
      expect(tooBig.structuredContent.error.code).toBe('payload_too_large');
      send(JSON.stringify({ jsonrpc: '2.0', id: 9, method: 'tools/list' }));
      expect((await reply(9))[0].result.tools.length).toBe(14);
      // every stdout line was JSON-RPC
      for (const m of messages()) expect(m.jsonrpc).toBe('2.0');
    } finally {
      child.stdin.end();
      await new Promise((r) => child.once('exit', r));
      removeDir(home);
    }
    expect(child.exitCode).toBe(0);
  }, 60_000);
});

describe('hx mcp with [auth] enabled', () => {
  it('refuses to start without credentials and runs as the token principal with HELIX_AUTH_TOKEN', async () => {
    const home = tempDir();
    const auth = { HELIX_AUTH_ENABLED: 'true' };
    try {
      await expect(stdioClient(home, [], auth)).rejects.toThrow(/--access-key|HELIX_AUTH_TOKEN/);
      const ok = await stdioClient(home, [], { ...auth, HELIX_AUTH_TOKEN: 'x'.repeat(32) });
      try {
        const stored = await call(ok.client, 'helix_store', { content: 'as the token principal' });
        expect(stored.data.written).toBe(true);
      } finally {
        await ok.client.close();
      }
    } finally {
      removeDir(home);
    }
  }, 60_000);
});
