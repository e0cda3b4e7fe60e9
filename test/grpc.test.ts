import { fileURLToPath } from 'node:url';
import {
  credentials,
  type Client,
  loadPackageDefinition,
  Metadata,
  type ServiceError,
  status,
} from '@grpc/grpc-js';
import { loadSync } from '@grpc/proto-loader';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * The gRPC surface over a real socket with a grpc-js client built from the shipped proto: every
 * RPC, authentication from metadata, roles, namespaces, the error mapping and rate limits.
 */
const TOKEN = 'grpc-shared-admin-token-0123';
const SECRET = 'grpc-jwt-secret-0123456789abcdef0123';
const PROTO = fileURLToPath(new URL('../proto/helix/v1/helix.proto', import.meta.url));

// biome-ignore lint/suspicious/noExplicitAny: messages decoded off the wire, checked by expect()
type Obj = Record<string, any>;
type Call = (method: string, req: Obj, token?: string) => Promise<Obj>;

const jwt = (role: string, namespace: string, sub = 'alice') =>
  new SignJWT({ role, namespace })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(new TextEncoder().encode(SECRET));

function connect(port: number): { client: Client; call: Call } {
  const def = loadSync(PROTO, {
    keepCase: true,
    longs: Number,
    enums: String,
    defaults: false,
    oneofs: false,
  });
  const pkg = loadPackageDefinition(def) as Obj;
  const client = new pkg.helix.v1.Helix(`127.0.0.1:${port}`, credentials.createInsecure()) as Client;
  const call: Call = (method, req, token) =>
    new Promise((resolve, reject) => {
      const md = new Metadata();
      if (token !== undefined) md.set('authorization', `Bearer ${token}`);
      (client as unknown as Obj)[method](req, md, (err: ServiceError | null, res: Obj) =>
        err ? reject(err) : resolve(res),
      );
    });
  return { client, call };
}

async function rejected(p: Promise<unknown>): Promise<ServiceError> {
  let res: unknown;
  try {
    res = await p;
  } catch (err) {
    return err as ServiceError;
  }
  throw new Error(`expected the call to fail, got ${JSON.stringify(res)}`);
}

const struct = (s: Obj | undefined) =>
  Object.fromEntries(
    Object.entries((s?.fields ?? {}) as Record<string, Obj>).map(([k, v]) => [
      k,
      v.stringValue ?? v.numberValue ?? v.boolValue,
    ]),
  );

describe('gRPC surface', () => {
  let s: TestServer;
  let client: Client;
  let call: Call;

  beforeAll(async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.requests': 10_000,
      },
      token: TOKEN,
    });
    ({ client, call } = connect(s.running.grpcPort));
  });
  afterAll(async () => {
    client?.close();
    await s?.close();
  });

  it('answers Health without credentials', async () => {
    const h = await call('Health', {});
    expect(h).toMatchObject({ status: 'ok', database: { status: 'ok' } });
    expect(h.version).toMatch(/\d+\.\d+/);
  });

  it('runs every RPC end to end with the REST field names', async () => {
    const a = await call(
      'CreateNode',
      {
        kind: 'task',
        title: 'Ship gRPC',
        content: 'wire the helix service over grpc',
        namespace: 'work',
        tags: ['grpc', 'api'],
        importance: 0.8,
        metadata: { fields: { task_status: { stringValue: 'open' }, estimate: { numberValue: 30 } } },
      },
      TOKEN,
    );
    expect(a).toMatchObject({
      kind: 'task',
      title: 'Ship gRPC',
      namespace: 'work',
      version: 1,
      importance: 0.8,
    });
    expect(a.tags.sort()).toEqual(['api', 'grpc']);
    expect(struct(a.metadata)).toEqual({ task_status: 'open', estimate: 30 });
    const b = await call('CreateNode', { content: 'the websocket feed', namespace: 'work' }, TOKEN);
    expect(b.kind).toBe('fact');
    expect(b.title).toBeUndefined();

    expect((await call('GetNode', { id: a.id }, TOKEN)).content).toBe('wire the helix service over grpc');
    // the REST API agrees on what gRPC wrote
    expect((await s.api.get(`/api/v1/nodes/${a.id}`)).body.metadata).toEqual({
      task_status: 'open',
      estimate: 30,
    });

    const page = await call('ListNodes', { namespace: 'work', limit: 1 }, TOKEN);
    expect(page.items).toHaveLength(1);
    expect(page.next_cursor).toBeTruthy();
    const rest = await call('ListNodes', { namespace: 'work', cursor: page.next_cursor }, TOKEN);
    expect([...page.items, ...rest.items].map((n: Obj) => n.id).sort()).toEqual([a.id, b.id].sort());
    expect(rest.next_cursor).toBeUndefined();
    expect((await call('ListNodes', { kind: ['task'] }, TOKEN)).items.map((n: Obj) => n.id)).toEqual([a.id]);

    const up = await call(
      'UpdateNode',
      { id: a.id, title: 'Shipped gRPC', tags: ['done'], expected_version: 1 },
      TOKEN,
    );
    expect(up).toMatchObject({ title: 'Shipped gRPC', tags: ['done'], version: 2 });
    const cleared = await call('UpdateNode', { id: a.id, clear_tags: true }, TOKEN);
    expect(cleared.tags ?? []).toEqual([]);
    const stale = await rejected(call('UpdateNode', { id: a.id, content: 'x', expected_version: 1 }, TOKEN));
    expect(stale.code).toBe(status.ABORTED);

    const found = await call('Search', { q: 'helix service' }, TOKEN);
    expect(found.results.map((r: Obj) => r.node.id)).toEqual([a.id]);
    expect(found.results[0]).toMatchObject({ match_source: 'fulltext' });
    expect(found.results[0].snippet).toContain('<mark>');
    expect(found.query.mode).toBe('natural');

    const recalled = await call('Recall', { text: 'websocket feed', strategy: 'fulltext' }, TOKEN);
    expect(recalled.strategy).toBe('fulltext');
    expect(recalled.results[0].node.id).toBe(b.id);
    expect(recalled.results[0].score).toBeGreaterThan(0);
    expect(recalled.results[0].explain.fields.fused).toBeDefined();
    expect(recalled.query.text).toBe('websocket feed');

    const rel = await call('AddRelationship', { from_node: a.id, to_node: b.id, kind: 'depends_on' }, TOKEN);
    expect(rel).toMatchObject({ from_node: a.id, to_node: b.id, kind: 'depends_on', weight: 1 });
    const near = await call('Neighbors', { id: a.id }, TOKEN);
    expect(near.node_id).toBe(a.id);
    expect(near.neighbors).toHaveLength(1);
    expect(near.neighbors[0]).toMatchObject({
      depth: 1,
      direction: 'out',
      node: { id: b.id },
      relationship: { id: rel.id },
    });
    const incoming = await call('Neighbors', { id: a.id, direction: 'in' }, TOKEN);
    expect(incoming.neighbors ?? []).toEqual([]);

    expect(await call('DeleteNode', { id: b.id }, TOKEN)).toEqual({});
    expect((await rejected(call('GetNode', { id: b.id }, TOKEN))).code).toBe(status.NOT_FOUND);
  });

  it('refuses a call without credentials or with a wrong token (UNAUTHENTICATED), and audits it', async () => {
    for (const method of [
      'GetNode',
      'ListNodes',
      'CreateNode',
      'Search',
      'Recall',
      'Neighbors',
      'AddRelationship',
    ]) {
      const err = await rejected(
        call(method, { id: '01900000-0000-7000-8000-000000000000', content: 'x', q: 'x', text: 'x' }),
      );
      expect(err.code, method).toBe(status.UNAUTHENTICATED);
    }
    const wrong = await rejected(call('ListNodes', {}, 'not-the-token'));
    expect(wrong.code).toBe(status.UNAUTHENTICATED);
    expect(wrong.details).not.toContain('not-the-token');
    expect(wrong.metadata.get('helix-error-code')).toEqual(['unauthenticated']);
    const audit = await s.api.get('/api/v1/audit/query?action=auth.failure&limit=100');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThanOrEqual(8);
    expect(audit.text).not.toContain('not-the-token');
  });

  it('audits gRPC writes like REST writes', async () => {
    const made = await call('CreateNode', { content: 'audited', namespace: 'work' }, TOKEN);
    const audit = await s.api.get('/api/v1/audit/query?limit=100');
    const row = audit.body.items.find((r: Obj) => r.action === 'GRPC /helix.v1.Helix/CreateNode');
    expect(row).toMatchObject({ actor: 'token', outcome: 'success', namespace: 'work' });
    await call('DeleteNode', { id: made.id }, TOKEN);
    const again = await s.api.get('/api/v1/audit/query?limit=100');
    expect(again.body.items.find((r: Obj) => r.action === 'GRPC /helix.v1.Helix/DeleteNode')).toMatchObject({
      target: made.id,
    });
  });

  it('lets a read principal read but not write (PERMISSION_DENIED)', async () => {
    const reader = await jwt('read', 'work');
    const n = await call('CreateNode', { content: 'readable', namespace: 'work' }, TOKEN);
    expect((await call('GetNode', { id: n.id }, reader)).id).toBe(n.id);
    for (const [method, req] of [
      ['CreateNode', { content: 'nope', namespace: 'work' }],
      ['UpdateNode', { id: n.id, content: 'nope' }],
      ['DeleteNode', { id: n.id }],
      ['AddRelationship', { from_node: n.id, to_node: n.id }],
    ] as const) {
      const err = await rejected(call(method, req, reader));
      expect(err.code, method).toBe(status.PERMISSION_DENIED);
    }
    const other = await call('CreateNode', { content: 'second', namespace: 'work' }, TOKEN);
    const err = await rejected(call('AddRelationship', { from_node: n.id, to_node: other.id }, reader));
    expect(err.code).toBe(status.PERMISSION_DENIED);
    expect((await call('GetNode', { id: n.id }, TOKEN)).content).toBe('readable');
  });

  it('keeps a namespace-A principal out of namespace B on every read and write', async () => {
    const secretB = await call(
      'CreateNode',
      { content: 'zanzibar quartermaster ledger', namespace: 'beta', tags: ['b'] },
      TOKEN,
    );
    const mineA = await call('CreateNode', { content: 'zanzibar alpha notes', namespace: 'alpha' }, TOKEN);
    await call('AddRelationship', { from_node: mineA.id, to_node: secretB.id }, TOKEN);
    const alice = await jwt('write', 'alpha');

    expect((await rejected(call('GetNode', { id: secretB.id }, alice))).code).toBe(status.NOT_FOUND);
    expect((await rejected(call('ListNodes', { namespace: 'beta' }, alice))).code).toBe(status.NOT_FOUND);
    const listed = await call('ListNodes', {}, alice);
    expect(listed.items.map((n: Obj) => n.namespace)).toEqual(['alpha']);
    const found = await call('Search', { q: 'zanzibar' }, alice);
    expect(found.results.map((r: Obj) => r.node.id)).toEqual([mineA.id]);
    expect((await rejected(call('Search', { q: 'zanzibar', namespace: 'beta' }, alice))).code).toBe(
      status.NOT_FOUND,
    );
    const recalled = await call('Recall', { text: 'zanzibar quartermaster', strategy: 'hybrid' }, alice);
    expect(recalled.results.every((r: Obj) => r.node.namespace === 'alpha')).toBe(true);
    expect((await rejected(call('Recall', { text: 'zanzibar', namespace: 'beta' }, alice))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await rejected(call('Neighbors', { id: secretB.id }, alice))).code).toBe(status.NOT_FOUND);
    // a link out of A into B does not reveal the B node
    expect((await call('Neighbors', { id: mineA.id }, alice)).neighbors ?? []).toEqual([]);
    expect((await rejected(call('UpdateNode', { id: secretB.id, content: 'x' }, alice))).code).toBe(
      status.NOT_FOUND,
    );
    expect((await rejected(call('DeleteNode', { id: secretB.id }, alice))).code).toBe(status.NOT_FOUND);
    expect(
      (await rejected(call('AddRelationship', { from_node: secretB.id, to_node: mineA.id }, alice))).code,
    ).toBe(status.NOT_FOUND);
    expect((await rejected(call('CreateNode', { content: 'x', namespace: 'beta' }, alice))).code).toBe(
      status.PERMISSION_DENIED,
    );
    // writes without a namespace land in the principal's own one
    expect((await call('CreateNode', { content: 'mine' }, alice)).namespace).toBe('alpha');
    expect((await call('GetNode', { id: secretB.id }, TOKEN)).content).toBe('zanzibar quartermaster ledger');
  });

  it('maps bad input to INVALID_ARGUMENT naming the field, and missing things to NOT_FOUND', async () => {
    const cases: [string, Obj, RegExp][] = [
      ['GetNode', { id: 'not-a-uuid' }, /^id: /],
      ['GetNode', {}, /^id: /],
      ['CreateNode', { namespace: 'work' }, /^content: /],
      ['CreateNode', { content: 'x', kind: 'bogus' }, /^kind: /],
      ['CreateNode', { content: 'x', importance: 7 }, /^importance: /],
      ['CreateNode', { content: 'x', namespace: 'bad ns!' }, /^namespace: /],
      ['ListNodes', { limit: 5000 }, /^limit: /],
      ['ListNodes', { cursor: 'garbage' }, /cursor/],
      ['Search', { q: 'x'.repeat(2001) }, /^q: /],
      ['Search', { q: 'x', kind: ['bogus'] }, /^kind/],
      ['Recall', { text: '   ' }, /^text: /],
      ['Recall', { text: 'x', strategy: 'psychic' }, /^strategy: /],
      ['Neighbors', { id: '01900000-0000-7000-8000-000000000000', direction: 'sideways' }, /^direction: /],
      ['AddRelationship', { from_node: 'x', to_node: 'y' }, /^from_node: /],
    ];
    for (const [method, req, message] of cases) {
      const err = await rejected(call(method, req, TOKEN).then((res) => ({ method, req, res })));
      expect([err.code, err.details], `${method} ${JSON.stringify(req)}`).toEqual([
        status.INVALID_ARGUMENT,
        expect.stringMatching(message),
      ]);
    }
    const missing = '01900000-0000-7000-8000-000000000000';
    for (const method of ['GetNode', 'UpdateNode', 'DeleteNode', 'Neighbors']) {
      const err = await rejected(call(method, { id: missing, content: 'x' }, TOKEN));
      expect(err.code, method).toBe(status.NOT_FOUND);
      expect(err.metadata.get('helix-error-code')).toEqual(['not_found']);
    }
    const n = await call('CreateNode', { content: 'x' }, TOKEN);
    expect((await rejected(call('AddRelationship', { from_node: n.id, to_node: missing }, TOKEN))).code).toBe(
      status.NOT_FOUND,
    );
  });
});

describe('gRPC rate limits', () => {
  it('limits per identity like REST (RESOURCE_EXHAUSTED with retry-after), apart from other identities', async () => {
    const s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.requests': 3,
      },
    });
    const { client, call } = connect(s.running.grpcPort);
    try {
      for (let i = 0; i < 3; i++) await call('ListNodes', {}, TOKEN);
      const err = await rejected(call('ListNodes', {}, TOKEN));
      expect(err.code).toBe(status.RESOURCE_EXHAUSTED);
      expect(Number(err.metadata.get('retry-after')[0])).toBeGreaterThan(0);
      // another identity has its own budget
      expect((await call('ListNodes', {}, await jwt('read', 'x', 'bob'))).items ?? []).toEqual([]);
    } finally {
      client.close();
      await s.close();
    }
  });
});
