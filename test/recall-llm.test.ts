import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { resetBreakers } from '../src/security/breakers.js';
import { startTestServer, type TestServer } from './support/server.js';
import { waitFor } from './support/temp.js';

/**
 * A loopback stand-in for an OpenAI-compatible chat endpoint (Ollama, vLLM, …): it answers each
 * rewrite prompt the way a model would, or fails on demand, and records what it was asked.
 */
interface Fake {
  url: string;
  prompts: { model: string; prompt: string }[];
  mode: 'ok' | 'error' | 'chatty';
  server: Server;
}

function answerFor(prompt: string, mode: Fake['mode']): string {
  if (prompt.startsWith('List up to')) {
    return mode === 'chatty'
      ? 'Sure! Here are some terms:\n1. car\n2. "automobile"\n3. engine OR motor'
      : '["car", "automobile", "engine"]';
  }
  if (prompt.startsWith('Split this question')) return '["kestrel hunting", "tomato watering"]';
  return 'Kestrels are small falcons that hover over meadows while hunting voles.';
}

async function startFake(): Promise<Fake> {
  const fake = { prompts: [], mode: 'ok' } as unknown as Fake;
  fake.server = createServer((req, res) => {
    let raw = '';
    req.on('data', (c: Buffer) => {
      raw += c.toString();
    });
    req.on('end', () => {
      if (req.method !== 'POST' || req.url !== '/v1/chat/completions') {
        res.writeHead(404).end();
        return;
      }
      const body = JSON.parse(raw) as { model: string; messages: { role: string; content: string }[] };
      const prompt = body.messages.at(-1)!.content;
      fake.prompts.push({ model: body.model, prompt });
      if (fake.mode === 'error') {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: 'model exploded', type: 'server_error' } }));
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'chatcmpl-1',
          object: 'chat.completion',
          created: 0,
          model: body.model,
          choices: [
            {
              index: 0,
              message: { role: 'assistant', content: answerFor(prompt, fake.mode) },
              finish_reason: 'stop',
            },
          ],
          usage: { prompt_tokens: 10, completion_tokens: 10, total_tokens: 20 },
        }),
      );
    });
  });
  await new Promise<void>((resolve) => fake.server.listen(0, '127.0.0.1', resolve));
  fake.url = `http://127.0.0.1:${(fake.server.address() as AddressInfo).port}/v1`;
  return fake;
}

let fake: Fake;
let s: TestServer;
let ids: Record<string, string>;
beforeAll(async () => {
  fake = await startFake();
  s = await startTestServer({
    flags: {
      'embedding.dimensions': 64,
      'llm.enabled': true,
      'llm.base_url': fake.url,
      'llm.model': 'tiny-test-model',
      'llm.timeout_secs': 5,
    },
  });
  ids = {};
  for (const [key, title, content] of [
    ['car', 'Automobile care', 'change the engine oil of the car every year'],
    ['kestrel', 'Kestrel', 'a small falcon hunting voles over the meadow'],
    ['tomato', 'Tomatoes', 'watering them every evening in summer'],
  ] as const)
    ids[key] = (await s.api.post('/api/v1/nodes', { title, content })).body.id;
  await waitFor(async () => {
    const d = (await s.api.get('/api/v1/diagnostics/embedding')).body;
    return d.space?.state === 'complete' && d.pending === 0 ? d : null;
  }, 'the embedding worker to drain');
});
afterAll(async () => {
  await s.close();
  fake.server.close();
});
beforeEach(() => {
  fake.mode = 'ok';
  fake.prompts.length = 0;
});

const recall = (body: Record<string, unknown>) => s.api.post('/api/v1/recall', body);

describe('query rewriting with a language model', () => {
  it('expands with terms the model suggests, finding what the words alone miss', async () => {
    const plain = await recall({ text: 'vehicle upkeep', strategy: 'fulltext', rewrite: 'none' });
    expect(plain.body.results).toEqual([]);
    const r = await recall({ text: 'vehicle upkeep', strategy: 'fulltext', rewrite: 'expand' });
    expect(r.status).toBe(200);
    expect(r.body.query.rewritten).toBe('vehicle upkeep car automobile engine');
    expect(r.body.results[0].node.id).toBe(ids.car);
    expect(fake.prompts).toHaveLength(1);
    expect(fake.prompts[0]).toMatchObject({ model: 'tiny-test-model' });
    expect(fake.prompts[0]!.prompt).toContain('vehicle upkeep');
  });

  it('reads a chatty answer and never passes the model’s words to FTS5 as syntax', async () => {
    fake.mode = 'chatty';
    const r = await recall({ text: 'vehicle upkeep', strategy: 'fulltext', rewrite: 'expand' });
    expect(r.status).toBe(200);
    expect(r.body.results[0].node.id).toBe(ids.car);
    expect(r.body.query.rewritten).toContain('engine motor');
  });

  it('decomposes a question and searches every part', async () => {
    const r = await recall({
      text: 'hovering birds and garden chores',
      strategy: 'fulltext',
      rewrite: 'decompose',
    });
    expect(r.status).toBe(200);
    expect(r.body.query.rewritten).toBe('kestrel hunting | tomato watering');
    expect(r.body.results.map((x: { node: { id: string } }) => x.node.id).sort()).toEqual(
      [ids.kestrel, ids.tomato].sort(),
    );
  });

  it('embeds a hypothetical answer (HyDE) for the vector side', async () => {
    const r = await recall({ text: 'which bird hovers?', strategy: 'vector', rewrite: 'hyde', min_score: 0 });
    expect(r.status).toBe(200);
    expect(r.body.query.rewritten).toMatch(/^Kestrels are small falcons/);
    expect(r.body.results[0].node.id).toBe(ids.kestrel);
  });

  it('falls back, and says so, when the model fails', async () => {
    fake.mode = 'error';
    const expand = await recall({ text: 'kestrel meadow', strategy: 'fulltext', rewrite: 'expand' });
    expect(expand.status).toBe(200);
    expect(expand.body.notices.join(' ')).toMatch(
      /could not expand the query .*expanded from the vault instead/,
    );
    expect(expand.body.results[0].node.id).toBe(ids.kestrel);
    const decompose = await recall({ text: 'kestrel', strategy: 'fulltext', rewrite: 'decompose' });
    expect(decompose.status).toBe(200);
    expect(decompose.body.query.rewritten).toBeNull();
    expect(decompose.body.notices.join(' ')).toMatch(/could not decompose the question/);
    expect(decompose.body.results[0].node.id).toBe(ids.kestrel);
  });

  it('stops calling a model that keeps failing (breaker), and recall still answers at once', async () => {
    resetBreakers();
    fake.mode = 'error';
    const notices: string[] = [];
    for (let i = 0; i < 7; i++) {
      const r = await recall({ text: 'kestrel meadow', strategy: 'fulltext', rewrite: 'expand' });
      expect(r.status).toBe(200);
      expect(r.body.results[0].node.id).toBe(ids.kestrel);
      notices.push(r.body.notices.join(' '));
    }
    // five consecutive failures open the circuit: the last two never reach the model
    expect(fake.prompts).toHaveLength(5);
    expect(notices.at(-1)).toMatch(/could not expand the query .*expanded from the vault instead/);
  });
});
