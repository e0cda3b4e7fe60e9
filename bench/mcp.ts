/**
 * MCP tool-call round trip over stdio, side by side in one run: `hx mcp` (helix_search and
 * helix_recall) against the reference memory server (@modelcontextprotocol/server-memory,
 * search_nodes), both loaded with the same N notes (the memory server gets them as entities via
 * create_entities). Two orders in the same run: interleaved (each query goes to all three tools
 * in turn, so machine load lands on all alike, but every Helix call follows a long server-memory
 * call) and back to back (each tool answers every query in a row). Reports p50/p99 per tool, the
 * ratio, and the size of each answer in tokens (chars / 4), for 2–3-word and one-word queries.
 *
 *   N=10000 Q=200 node --import tsx bench/mcp.ts      (HELIX_BENCH_HOME=… reuses a home)
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { getDefaultEnvironment, StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { searchFulltext } from '../src/search/fulltext/service.js';
import { recall } from '../src/search/recall/service.js';
import { corpusOptionsFromEnv, syntheticNotes, syntheticQueries } from './support/corpus.js';
import { benchHome } from './support/home.js';
import { assertBuilt, hxBin, runTimed } from './support/processes.js';
import {
  fmt,
  fmtInt,
  markdownTable,
  printHeader,
  ratio,
  setting,
  summarize,
  verdict,
} from './support/report.js';

const N = setting('N', 10_000);
const Q = setting('Q', 200);
const WARMUP = setting('WARMUP', 20);
const now = () => Number(process.hrtime.bigint()) / 1e6;

async function connect(
  label: string,
  command: string,
  args: string[],
  env: Record<string, string>,
): Promise<Client> {
  const client = new Client({ name: 'helix-bench', version: '1.0.0' });
  const transport = new StdioClientTransport({
    command,
    args,
    env: { ...getDefaultEnvironment(), ...env },
    stderr: 'pipe',
    // server-memory's answers to one-word queries outgrow the SDK's default 10 MiB line buffer
    maxBufferSize: 1024 * 1024 * 1024,
  });
  let tail = '';
  transport.stderr?.on('data', (d: Buffer) => {
    tail = (tail + d.toString()).slice(-4000);
  });
  transport.onclose = () => process.stderr.write(`${label} closed; its last stderr:\n${tail}\n`);
  await client.connect(transport);
  (transport as unknown as { _process?: import('node:child_process').ChildProcess })._process?.on(
    'exit',
    (code, sig) => process.stderr.write(`${label} exited: ${code ?? sig}\n`),
  );
  return client;
}

const tokens = (r: CallToolResult) => ({
  text: Math.ceil(JSON.stringify(r.content).length / 4),
  total: Math.ceil((JSON.stringify(r.content).length + JSON.stringify(r.structuredContent ?? {}).length) / 4),
});

interface Series {
  ms: number[];
  text: number[];
  total: number[];
  errors: number;
  /** answers larger than the SDK client's default stdio buffer (10 MiB): a default client disconnects */
  huge: number;
}
const series = (): Series => ({ ms: [], text: [], total: [], errors: 0, huge: 0 });

async function timedCall(client: Client, name: string, args: Record<string, unknown>, into?: Series) {
  const t0 = now();
  const r = (await client.callTool({ name, arguments: args })) as CallToolResult;
  const ms = now() - t0;
  if (!into) return;
  if (r.isError) into.errors++;
  const t = tokens(r);
  into.ms.push(ms);
  into.text.push(t.text);
  into.total.push(t.total);
  if (t.total * 4 > 10 * 1024 * 1024) into.huge++;
}

async function main() {
  assertBuilt();
  const corpus = corpusOptionsFromEnv();
  printHeader('MCP: `hx mcp` vs @modelcontextprotocol/server-memory over stdio', 'mcp.ts', {
    ...(process.env.HELIX_BENCH_HOME ? { HELIX_BENCH_HOME: process.env.HELIX_BENCH_HOME } : { N }),
    Q,
  });
  const bench = await benchHome(N, corpus);
  const dir = mkdtempSync(join(tmpdir(), 'helix-bench-mcp-'));
  const env = { HELIX_EMBEDDING_PROVIDER: 'hash', HELIX_HOME: bench.home };
  let helix: Client | undefined;
  let memory: Client | undefined;
  let floor: ReturnType<typeof createApp> | undefined;
  try {
    // vectors for recall's hybrid strategy (the deterministic hash embedder: seconds, offline)
    const reindex = await runTimed(
      process.execPath,
      [hxBin, '--home', bench.home, 'db', 'reindex', '--vectors', '--json'],
      {
        env: { ...process.env, ...env },
      },
    );
    if (reindex.code !== 0)
      process.stderr.write(`vector reindex failed; recall runs on full text:\n${reindex.stderr}\n`);

    floor = createApp(
      loadConfig({ home: bench.home, env: {}, cwd: bench.home, flags: { 'embedding.provider': 'hash' } }),
      { logger: silentLogger() },
    );
    await floor.search.start();
    helix = await connect('hx mcp', process.execPath, [hxBin, '--home', bench.home, 'mcp'], env);
    const memoryBin = createRequire(import.meta.url).resolve(
      '@modelcontextprotocol/server-memory/dist/index.js',
    );
    memory = await connect('server-memory', process.execPath, [memoryBin], {
      MEMORY_FILE_PATH: join(dir, 'memory.jsonl'),
    });

    process.stderr.write(`loading ${N} entities into server-memory …\n`);
    const loadStart = now();
    let batch: { name: string; entityType: string; observations: string[] }[] = [];
    let i = 0;
    for (const note of syntheticNotes(N, corpus)) {
      batch.push({ name: `${note.title} (${i++})`, entityType: note.kind, observations: [note.content] });
      if (batch.length === 500) {
        await memory.callTool({ name: 'create_entities', arguments: { entities: batch } }, undefined, {
          timeout: 600_000,
        });
        batch = [];
      }
    }
    if (batch.length) await memory.callTool({ name: 'create_entities', arguments: { entities: batch } });
    process.stderr.write(`loaded in ${((now() - loadStart) / 1000).toFixed(1)} s\n`);

    const multi = syntheticQueries(Q + WARMUP, corpus, 3);
    const single = multi.map((q) => q.split(' ')[0]!);
    const rows: string[][] = [];
    const verdicts: string[] = [];
    const report = (label: string, order: string, s: Record<string, Series>) => {
      const mem = summarize(s.memory!.ms);
      for (const [name, data] of [
        ['helix_search', s.search],
        ['helix_recall', s.recall],
        ['server-memory search_nodes', s.memory],
        ['floor: searchFulltext() in process', s.floorSearch],
        ['floor: recall() in process', s.floorRecall],
      ] as const) {
        if (!data) continue;
        const lat = summarize(data.ms);
        if (name.startsWith('floor')) {
          rows.push([label, order, name, fmt(lat.p50), fmt(lat.p99), '', '', '', '', '', '', '']);
          continue;
        }
        const text = summarize(data.text);
        const total = summarize(data.total);
        rows.push([
          label,
          order,
          name,
          fmt(lat.p50),
          fmt(lat.p99),
          name.startsWith('helix') ? ratio(mem.p50, lat.p50) : '1.00×',
          fmtInt(text.mean),
          fmtInt(total.mean),
          fmtInt(total.p50),
          fmtInt(total.max),
          String(data.errors),
          String(data.huge),
        ]);
        if (name.startsWith('helix'))
          verdicts.push(
            `${label}, ${order}, ${name}: p50 ${fmt(lat.p50)} ms ≤ 5 ms ${verdict(lat.p50 <= 5)}; mean answer ${fmtInt(total.mean)} tokens < 2000 ${verdict(total.max < 2000)} (max ${fmtInt(total.max)})`,
          );
      }
    };
    for (const [label, queries] of [
      ['2–3 words', multi],
      ['1 word', single],
    ] as const) {
      // Interleaved: each query goes to the three tools in turn, so load lands on all alike, but
      // every Helix call follows a 100–300 ms server-memory call during which `hx mcp` sleeps.
      const s = {
        search: series(),
        recall: series(),
        memory: series(),
        floorSearch: series(),
        floorRecall: series(),
      };
      for (let k = 0; k < queries.length; k++) {
        const q = queries[k]!;
        const keep = k >= WARMUP;
        if (process.env.BENCH_TRACE) process.stderr.write(`query ${k}: ${q}\n`);
        await timedCall(helix, 'helix_search', { query: q }, keep ? s.search : undefined);
        await timedCall(helix, 'helix_recall', { query: q }, keep ? s.recall : undefined);
        await timedCall(memory, 'search_nodes', { query: q }, keep ? s.memory : undefined);
        // the floor: the same services called in this process, no MCP, no process boundary
        let t0 = now();
        searchFulltext(floor.ctx, { q, limit: 11 });
        if (keep) s.floorSearch.ms.push(now() - t0);
        t0 = now();
        await recall(floor.ctx, { text: q, limit: 11 }, floor.search.vectors());
        if (keep) s.floorRecall.ms.push(now() - t0);
      }
      report(label, 'interleaved', s);
      // Back to back: each tool answers every query in a row, as a client asking one server
      // for several things at once does; the servers take turns, still in this one run.
      const b = { search: series(), recall: series(), memory: series() };
      for (const [client, tool, into] of [
        [helix, 'helix_search', b.search],
        [helix, 'helix_recall', b.recall],
        [memory, 'search_nodes', b.memory],
      ] as const)
        for (let k = 0; k < queries.length; k++)
          await timedCall(client, tool, { query: queries[k]! }, k >= WARMUP ? into : undefined);
      report(label, 'back to back', b);
    }
    console.log(
      markdownTable(
        [
          'queries',
          'order',
          'tool',
          'p50 ms',
          'p99 ms',
          'memory p50 ÷ this p50',
          'text tokens (mean)',
          'total tokens (mean)',
          'total p50',
          'total max',
          'errors',
          '> 10 MiB',
        ],
        rows,
      ),
    );
    console.log(`\n${verdicts.map((v) => `- ${v}`).join('\n')}`);
    console.log(
      '\ntokens = characters / 4 of what the client receives: `content` (text) and `structuredContent` (total).',
    );
  } finally {
    await helix?.close().catch(() => {});
    await memory?.close().catch(() => {});
    await floor?.shutdown().catch(() => {});
    rmSync(dir, { recursive: true, force: true });
    if (bench.built && !process.env.BENCH_KEEP) bench.cleanup();
    else if (bench.built) process.stderr.write(`kept the home: HELIX_BENCH_HOME=${bench.home}\n`);
  }
}

await main();
