import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { wsStatsFor } from '../src/api/ws/routes.js';
import { hx } from './support/cli.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

/**
 * The WebSocket event feed over real sockets with the `ws` client: authentication (header or
 * first message), subscriptions, events for REST writes and for `hx import` run by another
 * process (the change-feed follower), namespace isolation, ping/pong, keepalive, and a client
 * that stops reading being dropped while the server stays healthy and its buffer bounded.
 */
const TOKEN = 'ws-shared-admin-token-0123';
const SECRET = 'ws-jwt-secret-0123456789abcdef0123';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
// biome-ignore lint/suspicious/noExplicitAny: messages decoded off the wire, checked by expect()
type Msg = Record<string, any>;

const jwt = (role: string, namespace: string) =>
  new SignJWT({ role, namespace })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${role}-${namespace}`)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(new TextEncoder().encode(SECRET));

const flags = (extra: Record<string, unknown> = {}) => ({
  'auth.enabled': true,
  'auth.token': TOKEN,
  'auth.jwt_secret': SECRET,
  'rate_limit.requests': 10_000,
  'server.events_poll_interval_ms': 50,
  ...extra,
});

/** A client that queues what it receives, so a test can wait for the next matching message. */
class Peer {
  readonly ws: WebSocket;
  readonly received: Msg[] = [];
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: (() => void)[] = [];

  constructor(url: string, options: WebSocket.ClientOptions = {}) {
    this.ws = new WebSocket(`${url.replace('http', 'ws')}/api/v1/ws`, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', () => resolve());
      this.ws.once('error', reject);
    });
    // a test that expects a refusal never awaits `opened`
    this.opened.catch(() => undefined);
    this.ws.on('error', () => undefined);
    this.closed = new Promise((resolve) =>
      this.ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    this.ws.on('message', (data) => {
      this.received.push(JSON.parse(data.toString()) as Msg);
      for (const w of this.#waiters.splice(0)) w();
    });
  }

  send(msg: Msg) {
    this.ws.send(JSON.stringify(msg));
  }

  /** the first message (not yet taken) matching `pred`; removes it from the queue */
  async next(pred: (m: Msg) => boolean = () => true, timeoutMs = 5000): Promise<Msg> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const i = this.received.findIndex(pred);
      if (i >= 0) return this.received.splice(i, 1)[0]!;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching message; received ${JSON.stringify(this.received)}`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
  }

  events = (name?: string) => this.received.filter((m) => m.type === 'event' && (!name || m.event === name));

  close() {
    this.ws.terminate();
  }
}

const isEvent = (event: string, id?: string) => (m: Msg) =>
  m.type === 'event' && m.event === event && (id === undefined || m.data.id === id);

async function subscribed(url: string, token: string, sub: Msg = { events: ['*'] }): Promise<Peer> {
  const p = new Peer(url, { headers: bearer(token) });
  await p.opened;
  await p.next((m) => m.type === 'ready');
  p.send({ type: 'subscribe', ...sub });
  await p.next((m) => m.type === 'subscribed');
  return p;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('WebSocket events', () => {
  let s: TestServer;
  const peers: Peer[] = [];
  const track = (p: Peer) => {
    peers.push(p);
    return p;
  };

  beforeAll(async () => {
    s = await startTestServer({ flags: flags({ 'server.ws_ping_interval_secs': 1 }), token: TOKEN });
  });
  afterAll(async () => {
    for (const p of peers) p.close();
    await s?.close();
  });

  it('refuses a bad header before the upgrade (401) and audits it', async () => {
    const p = new Peer(s.url, { headers: bearer('wrong-token') });
    const status = await new Promise<number>((resolve) =>
      p.ws.once('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0)),
    );
    expect(status).toBe(401);
    p.close();
    const audit = await s.api.get('/api/v1/audit/query?action=auth.failure&limit=50');
    expect(audit.body.items.length).toBeGreaterThanOrEqual(1);
    expect(audit.text).not.toContain('wrong-token');
  });

  it('closes 4401 a client that sends anything but auth first, a wrong token, or nothing in time', async () => {
    const early = track(new Peer(s.url));
    await early.opened;
    early.send({ type: 'subscribe', events: ['*'] });
    expect((await early.closed).code).toBe(4401);

    const failures = async () =>
      (await s.api.get('/api/v1/audit/query?action=auth.failure&limit=200')).body.items.length as number;
    const before = await failures();
    const wrong = track(new Peer(s.url));
    await wrong.opened;
    wrong.send({ type: 'auth', token: 'nope-not-a-token' });
    expect(await wrong.next((m) => m.type === 'error')).toMatchObject({ code: 'unauthenticated' });
    expect((await wrong.closed).code).toBe(4401);
    expect(await failures()).toBe(before + 1); // audited like a failed header

    const silent = track(new Peer(s.url));
    await silent.opened;
    // auth must come within one ping interval (1 s here)
    expect((await silent.closed).code).toBe(4401);
    expect(silent.events()).toEqual([]);
  });

  it('accepts the token in a first auth message (browsers cannot set headers)', async () => {
    const p = track(new Peer(s.url));
    await p.opened;
    // sent back to back, as a browser would: the subscribe waits for the login
    p.send({ type: 'auth', token: TOKEN });
    p.send({ type: 'subscribe', events: ['node.created'] });
    expect(await p.next((m) => m.type === 'ready')).toMatchObject({ principal: { role: 'admin' } });
    await p.next((m) => m.type === 'subscribed');
    const made = await s.api.post('/api/v1/nodes', { content: 'via auth message', namespace: 'alpha' });
    expect((await p.next(isEvent('node.created', made.body.id))).data.namespace).toBe('alpha');
  });

  it('pushes node created, updated and deleted for REST writes, and relationship events', async () => {
    const p = track(await subscribed(s.url, TOKEN, { events: ['node.*', 'relationship.*'] }));
    const a = (await s.api.post('/api/v1/nodes', { content: 'first', namespace: 'alpha', tags: ['x'] })).body;
    const b = (await s.api.post('/api/v1/nodes', { content: 'second', namespace: 'alpha' })).body;
    expect((await s.api.put(`/api/v1/nodes/${a.id}`, { title: 'renamed' })).status).toBe(200);
    const rel = (await s.api.post('/api/v1/graph/relationships', { from_node: a.id, to_node: b.id })).body;
    expect((await s.api.del(`/api/v1/nodes/${a.id}`)).status).toBe(204);

    const created = await p.next(isEvent('node.created', a.id));
    expect(created.data).toMatchObject({
      id: a.id,
      namespace: 'alpha',
      kind: 'fact',
      tags: ['x'],
      version: 1,
    });
    expect(created.data.at).toMatch(/Z$/);
    expect((await p.next(isEvent('node.updated', a.id))).data.version).toBe(2);
    expect((await p.next(isEvent('relationship.created', rel.id))).data).toMatchObject({
      namespace: 'alpha',
      source_id: a.id,
      target_id: b.id,
      kind: 'relates_to',
    });
    // deleting a node drops its edges first
    expect((await p.next(isEvent('relationship.deleted', rel.id))).data.source_id).toBe(a.id);
    expect((await p.next(isEvent('node.deleted', a.id))).data).toMatchObject({ kind: 'fact', tags: ['x'] });
    const order = p.events().length;
    expect(order).toBe(1); // b's own node.created, nothing duplicated
    expect(p.events('node.created')[0]?.data.id).toBe(b.id);

    p.send({ type: 'unsubscribe', events: ['node.*'] });
    expect(await p.next((m) => m.type === 'subscribed')).toMatchObject({ events: ['relationship.*'] });
    await s.api.post('/api/v1/nodes', { content: 'not for p', namespace: 'alpha' });
    await sleep(300);
    expect(p.events('node.created')).toHaveLength(1);
  });

  it('pushes writes made by `hx import` in another process (followed from the changes table)', async () => {
    const p = track(await subscribed(s.url, TOKEN, { events: ['node.created', 'relationship.created'] }));
    const dir = tempDir();
    const file = join(dir, 'in.jsonl');
    const at = '2026-01-02T03:04:05.000Z';
    const ids = ['01900000-0000-7000-8000-00000000000a', '01900000-0000-7000-8000-00000000000b'];
    const node = (id: string, ns: string) => ({
      type: 'node',
      id,
      kind: 'fact',
      title: null,
      content: `imported ${id}`,
      source: null,
      namespace: ns,
      tags: ['imported'],
      importance: 0.5,
      metadata: {},
      created_at: at,
      updated_at: at,
      last_accessed_at: null,
      access_count: 0,
      version: 1,
      expires_at: null,
    });
    const lines = [
      node(ids[0]!, 'alpha'),
      node(ids[1]!, 'beta'),
      {
        type: 'relationship',
        id: '01900000-0000-7000-8000-0000000000cc',
        from_node: ids[0],
        to_node: ids[1],
        kind: 'references',
        weight: 1,
        metadata: {},
        created_at: at,
      },
    ];
    writeFileSync(file, `${lines.map((l) => JSON.stringify(l)).join('\n')}\n`);
    const res = await hx(['--json', 'import', file], { home: s.home });
    removeDir(dir);
    expect(res.code, res.stderr).toBe(0);
    expect(res.json()).toMatchObject({ imported: 2 });
    for (const [id, ns] of [
      [ids[0], 'alpha'],
      [ids[1], 'beta'],
    ]) {
      expect((await p.next(isEvent('node.created', id))).data).toMatchObject({
        namespace: ns,
        tags: ['imported'],
      });
    }
    expect((await p.next(isEvent('relationship.created'))).data).toMatchObject({
      source_id: ids[0],
      target_id: ids[1],
      kind: 'references',
    });
  });

  it('never sends a namespace-A client events of namespace B, nor lets it subscribe to B', async () => {
    const alice = track(await subscribed(s.url, await jwt('read', 'alpha')));
    const all = track(await subscribed(s.url, TOKEN));
    const b = (await s.api.post('/api/v1/nodes', { content: 'secret', namespace: 'beta' })).body;
    const a = (await s.api.post('/api/v1/nodes', { content: 'shared', namespace: 'alpha' })).body;
    await s.api.put(`/api/v1/nodes/${b.id}`, { content: 'still secret' });
    const edge = (await s.api.post('/api/v1/graph/relationships', { from_node: b.id, to_node: a.id })).body;
    await s.api.del(`/api/v1/nodes/${b.id}`);
    // the admin sees all of it; by then alice has been sent whatever she would get
    await all.next(isEvent('node.deleted', b.id));
    await alice.next(isEvent('node.created', a.id));
    await sleep(200);
    const leaked = alice.received.filter(
      (m) => JSON.stringify(m).includes(b.id) || m.data?.namespace === 'beta',
    );
    expect(leaked).toEqual([]);
    expect(JSON.stringify(alice.received)).not.toContain(edge.id);

    alice.send({ type: 'subscribe', events: ['*'], namespaces: ['beta'] });
    expect(await alice.next((m) => m.type === 'error')).toMatchObject({ code: 'forbidden' });
    alice.send({ type: 'subscribe', events: ['*'], namespaces: ['alpha'] });
    expect(await alice.next((m) => m.type === 'subscribed')).toMatchObject({ namespaces: ['alpha'] });
    // an admin narrowing to one namespace gets only that one
    all.send({ type: 'subscribe', events: ['node.created'], namespaces: ['beta'] });
    await all.next((m) => m.type === 'subscribed');
    all.received.length = 0;
    await s.api.post('/api/v1/nodes', { content: 'in alpha', namespace: 'alpha' });
    const inBeta = (await s.api.post('/api/v1/nodes', { content: 'in beta', namespace: 'beta' })).body;
    await all.next(isEvent('node.created', inBeta.id));
    expect(all.events().every((m) => m.data.namespace === 'beta')).toBe(true);
  });

  it('answers ping with pong, rejects malformed messages, and rate limits a flooding client', async () => {
    const p = track(await subscribed(s.url, TOKEN));
    p.send({ type: 'ping', id: 'abc' });
    expect(await p.next((m) => m.type === 'pong')).toEqual({ type: 'pong', id: 'abc' });
    p.ws.send('{not json');
    expect(await p.next((m) => m.type === 'error')).toMatchObject({
      code: 'validation_error',
      message: /malformed/,
    });
    p.send({ type: 'subscribe', events: ['nodes.everything'] });
    expect(await p.next((m) => m.type === 'error')).toMatchObject({ message: /^events\.0: / });
    // the ws-level ping is answered too
    const pong = new Promise<void>((resolve) => p.ws.once('pong', () => resolve()));
    p.ws.ping();
    await pong;

    const flood = track(await subscribed(s.url, TOKEN));
    for (let i = 0; i < 200; i++) flood.send({ type: 'ping' });
    expect((await flood.closed).code).toBe(1008);
    expect(flood.received.some((m) => m.code === 'rate_limited')).toBe(true);
  });

  it('drops a client that does not answer keepalive pings', async () => {
    const before = wsStatsFor(s.running.app.ctx)!.dropped.keepalive ?? 0;
    const mute = track(new Peer(s.url, { headers: bearer(TOKEN), autoPong: false }));
    await mute.opened;
    const { code } = await mute.closed;
    expect(code).toBe(1006); // terminated, no closing handshake
    expect(wsStatsFor(s.running.app.ctx)!.dropped.keepalive).toBe(before + 1);
  });
});

describe('WebSocket backpressure', () => {
  it('drops a client that stops reading, keeping its buffer bounded and the server healthy', async () => {
    const limit = 64 * 1024;
    const s = await startTestServer({
      flags: flags({ 'server.ws_max_buffered_bytes': limit, 'server.ws_ping_interval_secs': 60 }),
      token: TOKEN,
    });
    try {
      const slow = await subscribed(s.url, TOKEN, { events: ['node.created'] });
      slow.ws.pause(); // stops reading the socket: the kernel buffers fill, then ours would
      const { ctx } = s.running.app;
      // ~12 KB per event (many long tags), ~24 MB in all: far beyond what the kernel buffers
      // hold. Published straight on the bus the feed writes to: writing that many real nodes
      // takes seconds, and the follower is tested on its own (change-follower.test.ts).
      const tags = Array.from({ length: 100 }, (_, i) => `t${i}-${'x'.repeat(110)}`);
      for (let i = 0; i < 2000; i++) {
        ctx.bus.emit('change', {
          type: 'node.created',
          seq: 1_000_000 + i,
          id: `bulk-${i}`,
          namespace: 'alpha',
          kind: 'fact',
          tags,
          version: 1,
          at: new Date().toISOString(),
        });
        if (i % 100 === 99) await sleep(1); // in batches, as the follower publishes
      }
      const deadline = Date.now() + 20_000;
      while (!wsStatsFor(ctx)!.dropped['slow consumer'] && Date.now() < deadline) await sleep(50);
      const stats = wsStatsFor(ctx)!;
      expect(stats.dropped['slow consumer']).toBe(1);
      // never more than the limit plus the one message that would have crossed it
      expect(stats.peak_buffered_bytes).toBeLessThanOrEqual(limit + 16 * 1024);
      slow.ws.resume();
      expect([1013, 1006]).toContain((await slow.closed).code);

      expect((await s.api.get('/api/v1/health')).status).toBe(200);
      const fresh = await subscribed(s.url, TOKEN, { events: ['node.created'] });
      const made = await s.api.post('/api/v1/nodes', { content: 'after the drop', namespace: 'alpha' });
      await fresh.next(isEvent('node.created', made.body.id), 10_000);
      expect(wsStatsFor(ctx)!.connections).toBe(1);

      // shutdown is not held up by a client that stops reading: it is told 1001, then cut
      fresh.ws.pause();
      const started = Date.now();
      await s.close();
      expect(Date.now() - started).toBeLessThan(5000);
      fresh.ws.resume();
      expect([1001, 1006]).toContain((await fresh.closed).code);
    } finally {
      await s.close();
    }
  }, 60_000);
});

describe('WebSocket with auth off (local development)', () => {
  it('treats every client as the local admin at once', async () => {
    const s = await startTestServer({ flags: { 'server.events_poll_interval_ms': 50 } });
    try {
      const p = new Peer(s.url);
      await p.opened;
      expect(await p.next((m) => m.type === 'ready')).toMatchObject({
        principal: { id: 'local', role: 'admin' },
      });
      p.send({ type: 'subscribe', events: ['node.*'] });
      await p.next((m) => m.type === 'subscribed');
      const made = await s.api.post('/api/v1/nodes', { content: 'local' });
      await p.next(isEvent('node.created', made.body.id));
      p.close();
    } finally {
      await s.close();
    }
  });
});
