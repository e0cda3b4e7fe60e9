import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A loopback LLM provider speaking two wire formats: OpenAI chat completions
 * (`POST /v1/chat/completions`, `GET /v1/models`) and Anthropic messages (`POST /v1/messages`).
 * Each model can be told to fail (status codes), hang (timeouts), break off mid-stream, or answer a
 * fixed text; usage is reported like the real APIs (prompt tokens ≈ chars/4).
 */
export interface FakeBehaviour {
  /** answer with this HTTP status (e.g. 429, 500) instead of a completion */
  status?: number;
  /** only the next N requests behave so; then the model answers normally */
  times?: number;
  /** wait this long before answering (ms) */
  delayMs?: number;
  /** the answer text (default: "Echo: <last user message>") */
  text?: string;
  /** report exactly max_tokens completion tokens (cost = the router's reservation) */
  fillMaxTokens?: boolean;
  /** streaming: send this many chunks, then destroy the connection */
  breakAfterChunks?: number;
  /** streaming: pause between chunks (ms) */
  chunkDelayMs?: number;
}

export interface FakeCall {
  path: string;
  model: string;
  stream: boolean;
  messages: { role: string; content: unknown }[];
  authorization: string | undefined;
  maxTokens: number | undefined;
}

export interface FakeLlm {
  url: string;
  /** base URL of the OpenAI-compatible API (…/v1) */
  openaiBase: string;
  /** base URL for @ai-sdk/anthropic (…/v1) */
  anthropicBase: string;
  calls: FakeCall[];
  set(model: string, behaviour: FakeBehaviour): void;
  reset(): void;
  close(): Promise<void>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const contentText = (c: unknown): string =>
  typeof c === 'string'
    ? c
    : Array.isArray(c)
      ? c
          .map((p) =>
            typeof p === 'object' && p && 'text' in p ? String((p as { text: unknown }).text) : '',
          )
          .join('')
      : '';

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    let s = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      s += d;
    });
    req.on('end', () => resolve(s));
    req.on('error', reject);
  });
}

/** words of the answer as stream chunks (each keeps its leading space) */
const chunksOf = (text: string) => text.match(/\s*\S+/g) ?? [text];

export async function startFakeLlm(): Promise<FakeLlm> {
  const behaviours = new Map<string, FakeBehaviour>();
  const calls: FakeCall[] = [];

  const behaviourFor = (model: string): FakeBehaviour => {
    const b = behaviours.get(model) ?? behaviours.get('*');
    if (!b) return {};
    if (b.times !== undefined) {
      if (b.times <= 0) return { text: b.text, fillMaxTokens: b.fillMaxTokens };
      b.times -= 1;
    }
    return b;
  };

  const server: Server = createServer(async (req, res) => {
    try {
      await handle(req, res);
    } catch (err) {
      if (!res.headersSent) res.writeHead(500, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: (err as Error).message } }));
    }
  });

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = req.url ?? '';
    if (req.method === 'GET' && url.endsWith('/models')) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ object: 'list', data: [{ id: 'fake', object: 'model' }] }));
      return;
    }
    const anthropic = url.endsWith('/messages');
    if (req.method !== 'POST' || !(anthropic || url.endsWith('/chat/completions'))) {
      res.writeHead(404).end();
      return;
    }
    const body = JSON.parse(await readBody(req)) as {
      model: string;
      stream?: boolean;
      messages: { role: string; content: unknown }[];
      system?: unknown;
      max_tokens?: number;
      max_completion_tokens?: number;
    };
    const maxTokens = body.max_tokens ?? body.max_completion_tokens;
    calls.push({
      path: url,
      model: body.model,
      stream: body.stream === true,
      messages: body.messages,
      authorization: (req.headers.authorization ?? req.headers['x-api-key']) as string | undefined,
      maxTokens,
    });
    const b = behaviourFor(body.model);
    if (b.delayMs) await sleep(b.delayMs);
    if (b.status) {
      res.writeHead(b.status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: `fake ${b.status}`, type: 'fake_error' } }));
      return;
    }
    const allText = [contentText(body.system), ...body.messages.map((m) => contentText(m.content))].join('');
    const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
    const text = b.text ?? `Echo: ${contentText(lastUser?.content).slice(0, 200)}`;
    const promptTokens = Math.ceil(allText.length / 4);
    const completionTokens = b.fillMaxTokens && maxTokens ? maxTokens : chunksOf(text).length;
    if (anthropic) return answerAnthropic(res, body, text, promptTokens, completionTokens, b);
    return answerOpenAi(res, body, text, promptTokens, completionTokens, b);
  }

  async function answerOpenAi(
    res: ServerResponse,
    body: { model: string; stream?: boolean },
    text: string,
    promptTokens: number,
    completionTokens: number,
    b: FakeBehaviour,
  ) {
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const base = { id: 'chatcmpl-fake', created: Math.floor(Date.now() / 1000), model: body.model };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          ...base,
          object: 'chat.completion',
          choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (o: unknown) => res.write(`data: ${JSON.stringify(o)}\n\n`);
    let i = 0;
    for (const piece of chunksOf(text)) {
      if (b.breakAfterChunks !== undefined && i >= b.breakAfterChunks) {
        res.destroy();
        return;
      }
      send({
        ...base,
        object: 'chat.completion.chunk',
        choices: [
          {
            index: 0,
            delta: { ...(i === 0 ? { role: 'assistant' } : {}), content: piece },
            finish_reason: null,
          },
        ],
      });
      i++;
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (res.destroyed) return;
    }
    send({
      ...base,
      object: 'chat.completion.chunk',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
    });
    send({ ...base, object: 'chat.completion.chunk', choices: [], usage });
    res.end('data: [DONE]\n\n');
  }

  async function answerAnthropic(
    res: ServerResponse,
    body: { model: string; stream?: boolean },
    text: string,
    promptTokens: number,
    completionTokens: number,
    b: FakeBehaviour,
  ) {
    const usage = { input_tokens: promptTokens, output_tokens: completionTokens };
    if (!body.stream) {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(
        JSON.stringify({
          id: 'msg_fake',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [{ type: 'text', text }],
          stop_reason: 'end_turn',
          stop_sequence: null,
          usage,
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
    const send = (event: string, o: unknown) => res.write(`event: ${event}\ndata: ${JSON.stringify(o)}\n\n`);
    send('message_start', {
      type: 'message_start',
      message: {
        id: 'msg_fake',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: promptTokens, output_tokens: 0 },
      },
    });
    send('content_block_start', {
      type: 'content_block_start',
      index: 0,
      content_block: { type: 'text', text: '' },
    });
    let i = 0;
    for (const piece of chunksOf(text)) {
      if (b.breakAfterChunks !== undefined && i >= b.breakAfterChunks) {
        res.destroy();
        return;
      }
      send('content_block_delta', {
        type: 'content_block_delta',
        index: 0,
        delta: { type: 'text_delta', text: piece },
      });
      i++;
      if (b.chunkDelayMs) await sleep(b.chunkDelayMs);
      if (res.destroyed) return;
    }
    send('content_block_stop', { type: 'content_block_stop', index: 0 });
    send('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { output_tokens: completionTokens },
    });
    send('message_stop', { type: 'message_stop' });
    res.end();
  }

  // like real APIs behind a load balancer, keep connections open for a while between requests
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    openaiBase: `${url}/v1`,
    anthropicBase: `${url}/v1`,
    calls,
    set: (model, behaviour) => behaviours.set(model, { ...behaviour }),
    reset: () => {
      behaviours.clear();
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
