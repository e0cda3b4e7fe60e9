import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Json } from './support/http.js';
import { apiClient } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/** The keychain over real sockets: lifecycle, back-off, Shamir, credentials, domains, ACLs, rotation. */
const SECRET = 'vault-jwt-secret-0123456789abcdef';
const TOKEN = 'vault-admin-token-0123456789';
const PASS = 'correct horse battery staple';
const jwt = (sub: string, role: string) =>
  new SignJWT({ role, namespace: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(sub)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 600)
    .sign(new TextEncoder().encode(SECRET));

describe('keychain REST', () => {
  let s: TestServer;
  let shares: string[];
  const api = () => s.api;

  beforeAll(async () => {
    s = await startTestServer({
      token: TOKEN,
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.enabled': false,
      },
    });
  });
  afterAll(async () => s?.close());

  it('starts uninitialized; secret routes answer 409 with how to init, the rest of Helix works', async () => {
    const st = await api().get('/api/v1/keychain/status');
    expect(st.status).toBe(200);
    expect(st.body).toMatchObject({ state: 'uninitialized', initialized: false, sealed: true });
    const cred = await api().post('/api/v1/keychain/credentials', {
      name: 'x',
      kind: 'password',
      value: 'v',
    });
    expect(cred.status).toBe(409);
    expect(cred.body.error.details.how_to_init.join(' ')).toContain('keychain init');
    expect((await api().post('/api/v1/keychain/unseal', { passphrase: 'whatever-123' })).status).toBe(409);
    const node = await api().post('/api/v1/nodes', { title: 'still works', content: 'yes' });
    expect(node.status).toBe(201);
  });

  it('init derives, wraps and splits; shares are returned once', async () => {
    const short = await api().post('/api/v1/keychain/init', { passphrase: 'short' });
    expect(short.status).toBe(400);
    expect(short.body.error.message).toContain('passphrase');
    const res = await api().post('/api/v1/keychain/init', { passphrase: PASS, shares: 5, threshold: 3 });
    expect(res.status).toBe(201);
    shares = res.body.shares;
    expect(shares).toHaveLength(5);
    expect(new Set(shares).size).toBe(5);
    for (const sh of shares) expect(sh).toMatch(new RegExp(`^hxs1-${res.body.set_id}-[0-9a-f]+$`));
    expect(res.body.status).toMatchObject({
      state: 'unsealed',
      active_epoch: 1,
      kdf: { algorithm: 'argon2id', memory_kib: 19456, iterations: 2, parallelism: 1 },
      shamir: { enabled: true, shares: 5, threshold: 3, submitted: 0 },
    });
    const again = await api().post('/api/v1/keychain/init', { passphrase: PASS });
    expect(again.status).toBe(409);
    // the status never shows shares again
    expect(JSON.stringify((await api().get('/api/v1/keychain/status')).body)).not.toContain(
      shares[0]!.slice(14),
    );
  });

  it('credentials: create, read, version, archive, destroy; metadata listing works sealed', async () => {
    const c = await api().post('/api/v1/keychain/credentials', {
      name: 'github',
      kind: 'api_key',
      value: 'ghp-first-value-111',
      tags: ['ci'],
      metadata: { user: 'me' },
    });
    expect(c.status).toBe(201);
    expect(c.body).toMatchObject({ name: 'github', kind: 'api_key', state: 'active', current_version: 1 });
    expect(JSON.stringify(c.body)).not.toContain('ghp-first');
    const id = c.body.id as string;
    const dup = await api().post('/api/v1/keychain/credentials', {
      name: 'github',
      kind: 'api_key',
      value: 'x',
    });
    expect(dup.status).toBe(409);
    const upd = await api().put(`/api/v1/keychain/credentials/${id}`, { value: 'ghp-second-value-222' });
    expect(upd.body.current_version).toBe(2);
    const got = await api().get(`/api/v1/keychain/credentials/${id}`);
    expect(got.body).toMatchObject({ value: 'ghp-second-value-222', version: 2 });
    expect(got.body.versions.map((v: Json) => v.version)).toEqual([1, 2]);
    expect((await api().get(`/api/v1/keychain/credentials/${id}?version=1`)).body.value).toBe(
      'ghp-first-value-111',
    );

    const soon = new Date(Date.now() + 3 * 86_400_000).toISOString();
    const past = new Date(Date.now() - 1000).toISOString();
    const e1 = await api().post('/api/v1/keychain/credentials', {
      name: 'soon',
      kind: 'token',
      value: 'v-soon',
      expires_at: soon,
    });
    const e2 = await api().post('/api/v1/keychain/credentials', {
      name: 'gone',
      kind: 'token',
      value: 'v-gone',
      expires_at: past,
    });
    expect(e1.body.state).toBe('expiring');
    expect(e2.body.state).toBe('expired');
    const expired = await api().get('/api/v1/keychain/credentials?state=expired');
    expect(expired.body.items.map((i: Json) => i.name)).toEqual(['gone']);

    const arch = await api().post(`/api/v1/keychain/credentials/${e1.body.id}/archive`, {});
    expect(arch.body.state).toBe('archived');
    expect((await api().del(`/api/v1/keychain/credentials/${e2.body.id}`)).status).toBe(204);
    const dead = await api().get(`/api/v1/keychain/credentials/${e2.body.id}`);
    expect(dead.body).toMatchObject({ state: 'destroyed', value: null });
    const row = s.running.app.ctx.db
      .prepare('SELECT wrapped_dek, ciphertext FROM keychain_credential_versions WHERE credential_id = ?')
      .get(e2.body.id) as Json;
    expect(row).toEqual({ wrapped_dek: null, ciphertext: null });

    expect((await api().post('/api/v1/keychain/seal', {})).body.state).toBe('sealed');
    const sealed = await api().get(`/api/v1/keychain/credentials/${id}`);
    expect(sealed.status).toBe(503);
    expect(sealed.body.error.code).toBe('vault_sealed');
    const list = await api().get('/api/v1/keychain/credentials');
    expect(list.status).toBe(200);
    expect(list.body.items).toHaveLength(3);
    expect(JSON.stringify(list.body)).not.toContain('ghp-');
  });

  it('a wrong passphrase is refused, then attempts back off; the right one resets the counter', async () => {
    for (let i = 0; i < 3; i++) {
      const r = await api().post('/api/v1/keychain/unseal', { passphrase: `nope-guess-${i}-xyz` });
      expect(r.status).toBe(403);
      expect(JSON.stringify(r.body)).not.toContain('nope-guess');
    }
    const limited = await api().post('/api/v1/keychain/unseal', { passphrase: PASS });
    expect(limited.status).toBe(429);
    expect(limited.body.error.details.retry_after_secs).toBeGreaterThanOrEqual(1);
    expect((await api().get('/api/v1/keychain/status')).body).toMatchObject({
      failed_attempts: 3,
      state: 'sealed',
    });
    await new Promise((r) => setTimeout(r, 1100));
    const ok = await api().post('/api/v1/keychain/unseal', { passphrase: PASS });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ state: 'unsealed', failed_attempts: 0 });
    const rows = s.running.app.ctx.db
      .prepare("SELECT outcome FROM audit_log WHERE action = 'keychain.unseal' ORDER BY seq")
      .all() as Json[];
    expect(rows.map((r) => r.outcome)).toEqual(['denied', 'denied', 'denied', 'denied', 'success']);
  });

  it('Shamir: below the threshold nothing unseals; duplicates count once; any order works', async () => {
    await api().post('/api/v1/keychain/seal', {});
    const a = await api().post('/api/v1/keychain/shamir/submit', { share: shares[4] });
    expect(a.body).toMatchObject({
      submitted: 1,
      threshold: 3,
      sealed: true,
      accepted: true,
      unsealed: false,
    });
    const dup = await api().post('/api/v1/keychain/shamir/submit', { share: shares[4] });
    expect(dup.body).toMatchObject({ submitted: 1, accepted: false, sealed: true });
    const b = await api().post('/api/v1/keychain/shamir/submit', { share: shares[1] });
    expect(b.body).toMatchObject({ submitted: 2, sealed: true });
    const st = await api().get('/api/v1/keychain/shamir/status');
    expect(st.body).toMatchObject({ submitted: 2, threshold: 3, sealed: true });
    expect(JSON.stringify(st.body)).not.toMatch(/[0-9a-f]{40}/);
    expect((await api().get('/api/v1/keychain/credentials?limit=1')).status).toBe(200);
    const c = await api().post('/api/v1/keychain/shamir/submit', { share: shares[2] });
    expect(c.body).toMatchObject({ submitted: 0, sealed: false, unsealed: true });
  });

  it('Shamir: a damaged share fails cleanly at the threshold; a rotated-out set is refused', async () => {
    await api().post('/api/v1/keychain/seal', {});
    const damaged = shares[3]!.slice(0, 20) + (shares[3]![20] === 'a' ? 'b' : 'a') + shares[3]!.slice(21);
    await api().post('/api/v1/keychain/shamir/submit', { share: shares[0] });
    await api().post('/api/v1/keychain/shamir/submit', { share: shares[1] });
    const bad = await api().post('/api/v1/keychain/shamir/submit', { share: damaged });
    expect(bad.status).toBe(403);
    expect(bad.body.error.message).toContain('do not rebuild');
    expect((await api().get('/api/v1/keychain/shamir/status')).body).toMatchObject({
      submitted: 0,
      sealed: true,
    });
    const garbage = await api().post('/api/v1/keychain/shamir/submit', { share: 'hxs1-zz-00' });
    expect(garbage.status).toBe(400);

    const ok = await api().post('/api/v1/keychain/shamir/unseal', {
      shares: [shares[0], shares[2], shares[4]],
    });
    expect(ok.body.unsealed).toBe(true);
    const rot = await api().post('/api/v1/keychain/shamir/rotate', { shares: 3, threshold: 2 });
    expect(rot.status).toBe(200);
    expect(rot.body.shares).toHaveLength(3);
    await api().post('/api/v1/keychain/seal', {});
    const old = await api().post('/api/v1/keychain/shamir/submit', { share: shares[0] });
    expect(old.status).toBe(409);
    expect(old.body.error.message).toContain('rotated out');
    await api().post('/api/v1/keychain/shamir/submit', { share: rot.body.shares[2] });
    const done = await api().post('/api/v1/keychain/shamir/submit', { share: rot.body.shares[0] });
    expect(done.body.unsealed).toBe(true);
    shares = rot.body.shares;
  });

  it('domains and ACLs are checked against the calling principal', async () => {
    const alice = apiClient(s.url, { token: await jwt('alice', 'write') });
    const bob = apiClient(s.url, { token: await jwt('bob', 'write') });
    const rita = apiClient(s.url, { token: await jwt('rita', 'read') });
    const d = await alice.post('/api/v1/keychain/domains', { name: 'team-alpha' });
    expect(d.status).toBe(201);
    const c = await alice.post('/api/v1/keychain/credentials', {
      name: 'db',
      kind: 'password',
      value: 'alpha-db-pw',
      domain: 'team-alpha',
    });
    expect(c.status).toBe(201);
    expect((await bob.get(`/api/v1/keychain/credentials/${c.body.id}`)).status).toBe(404);
    expect((await bob.get('/api/v1/keychain/credentials?domain=team-alpha')).status).toBe(404);
    expect((await bob.get('/api/v1/keychain/credentials')).body.items.map((i: Json) => i.name)).not.toContain(
      'db',
    );
    expect(
      (await bob.post(`/api/v1/keychain/domains/${d.body.id}/acls`, { subject: 'bob', can_write: true }))
        .status,
    ).toBe(404);

    const acl = await alice.post(`/api/v1/keychain/domains/${d.body.id}/acls`, {
      subject: 'bob',
      can_read: true,
    });
    expect(acl.status).toBe(201);
    expect((await bob.get(`/api/v1/keychain/credentials/${c.body.id}`)).body.value).toBe('alpha-db-pw');
    const w = await bob.put(`/api/v1/keychain/credentials/${c.body.id}`, { value: 'bob-was-here' });
    expect(w.status).toBe(403);
    // a read-role principal never writes, whatever its ACL says
    await alice.post(`/api/v1/keychain/domains/${d.body.id}/acls`, {
      subject: 'rita',
      can_read: true,
      can_write: true,
    });
    expect((await rita.get(`/api/v1/keychain/credentials/${c.body.id}`)).body.value).toBe('alpha-db-pw');
    expect((await rita.put(`/api/v1/keychain/credentials/${c.body.id}`, { value: 'nope-nope' })).status).toBe(
      403,
    );
    // the admin bypasses ACLs
    expect((await api().get(`/api/v1/keychain/credentials/${c.body.id}`)).body.value).toBe('alpha-db-pw');
    const acls = await alice.get(`/api/v1/keychain/domains/${d.body.id}/acls`);
    expect(acls.body.items.map((a: Json) => a.subject).sort()).toEqual(['alice', 'bob', 'rita']);
    expect((await alice.del(`/api/v1/keychain/acls/${acl.body.id}`)).status).toBe(204);
    expect((await bob.get(`/api/v1/keychain/credentials/${c.body.id}`)).status).toBe(404);
    expect((await alice.del(`/api/v1/keychain/domains/${d.body.id}`)).status).toBe(409);
    // unseal and rotation are admin only
    expect((await alice.post('/api/v1/keychain/seal', {})).status).toBe(403);
    expect((await alice.post('/api/v1/keychain/rotate', {})).status).toBe(403);
  });

  it('rotation makes a new epoch, re-wraps every data key, and everything reads back', async () => {
    const before = (await api().get('/api/v1/keychain/credentials?limit=100')).body.items as Json[];
    const r = await api().post('/api/v1/keychain/rotate', {});
    expect(r.status).toBe(200);
    expect(r.body.epoch).toBe(2);
    expect(r.body.rewrapped).toBeGreaterThanOrEqual(4);
    const epochs = (await api().get('/api/v1/keychain/epochs')).body.items as Json[];
    expect(epochs.map((e) => [e.epoch, e.state])).toEqual([
      [1, 'grace'],
      [2, 'active'],
    ]);
    const inUse = s.running.app.ctx.db
      .prepare('SELECT DISTINCT epoch FROM keychain_credential_versions WHERE wrapped_dek IS NOT NULL')
      .all() as Json[];
    expect(inUse).toEqual([{ epoch: 2 }]);
    const github = before.find((c) => c.name === 'github')!;
    expect((await api().get(`/api/v1/keychain/credentials/${github.id}?version=1`)).body.value).toBe(
      'ghp-first-value-111',
    );
    // with a new passphrase: the old one stops working, the new one unseals
    const np = await api().post('/api/v1/keychain/rotate', { new_passphrase: 'a brand new passphrase' });
    expect(np.body).toMatchObject({ epoch: 3, passphrase_changed: true });
    await api().post('/api/v1/keychain/seal', {});
    expect((await api().post('/api/v1/keychain/unseal', { passphrase: PASS })).status).toBe(403);
    expect(
      (await api().post('/api/v1/keychain/unseal', { passphrase: 'a brand new passphrase' })).status,
    ).toBe(200);
    expect((await api().get(`/api/v1/keychain/credentials/${github.id}`)).body.value).toBe(
      'ghp-second-value-222',
    );
  });

  it('secrets: set, get, list, delete; status names the keyring fallback', async () => {
    const st = await api().get('/api/v1/secrets/status');
    expect(st.status).toBe(200);
    const kr = st.body.backends.find((b: Json) => b.name === 'keyring');
    // on a machine with a usable keyring this would be true, and the keyring would be the write backend
    expect(st.body.write_backend).toBe(kr.available ? 'keyring' : 'vault');
    const set = await api().post('/api/v1/secrets', {
      key: 'openai.key',
      value: 'sk-live-123456789',
      metadata: { owner: 'me' },
    });
    expect(set.status).toBe(201);
    expect(set.body).toMatchObject({ key: 'openai.key', version: 1 });
    expect((await api().get('/api/v1/secrets/openai.key')).body).toMatchObject({
      value: 'sk-live-123456789',
    });
    const list = await api().get('/api/v1/secrets');
    expect(list.body.items.map((i: Json) => i.key)).toContain('openai.key');
    expect(JSON.stringify(list.body)).not.toContain('sk-live');
    expect((await api().post('/api/v1/secrets', { key: 'status', value: 'x' })).status).toBe(400);
    await api().post('/api/v1/keychain/seal', {});
    if (!kr.available) expect((await api().get('/api/v1/secrets/openai.key')).status).toBe(503);
    const unlock = await api().post('/api/v1/secrets/unlock', { passphrase: 'a brand new passphrase' });
    expect(unlock.body.state).toBe('unsealed');
    expect((await api().del('/api/v1/secrets/openai.key')).status).toBe(204);
    expect((await api().get('/api/v1/secrets/openai.key')).status).toBe(404);
  });
});
