import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type App, createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { silentLogger } from '../src/core/logger.js';
import { createRule, matchAutoApprove, updateRule } from '../src/security/safeguards/auto-approve.js';
import { blockSender, globMatch, isBlocked } from '../src/security/safeguards/blocked-senders.js';
import { CreateAutoApproveRuleBody, CreateBlockedSenderBody } from '../src/security/safeguards/schema.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

const SECRET = 'safeguards-jwt-secret-0123456789abcdef';
const TOKEN = 'safeguards-admin-token-0123';
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });
const jwt = (role: string) =>
  new SignJWT({ role, namespace: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject(`${role}-user`)
    .setExpirationTime(Math.floor(Date.now() / 1000) + 300)
    .sign(new TextEncoder().encode(SECRET));

describe('safeguard evaluation', () => {
  let home: string;
  let app: App;
  beforeAll(() => {
    home = tempDir();
    app = createApp(loadConfig({ home, env: {}, cwd: home }), { logger: silentLogger() });
  });
  afterAll(() => {
    app.close();
    removeDir(home);
  });
  const block = (input: Record<string, unknown>) =>
    blockSender(app.ctx, CreateBlockedSenderBody.parse(input), 'test');
  const rule = (input: Record<string, unknown>) =>
    createRule(app.ctx, CreateAutoApproveRuleBody.parse(input), 'test');

  it('blocks exact addresses, domains and globs, case-insensitively, per channel', () => {
    const exact = block({ pattern: 'Spam@Example.com', channel: 'email', reason: 'spam' });
    const domain = block({ pattern: '@junk.test' });
    const glob = block({ pattern: '*@*.marketing.test', channel: 'email' });
    const ctx = app.ctx;
    expect(isBlocked(ctx, { channel: 'email', sender: 'spam@example.com' })?.id).toBe(exact.id);
    expect(isBlocked(ctx, { channel: 'EMAIL', sender: 'Mr Spam <SPAM@example.COM>' })?.id).toBe(exact.id);
    expect(isBlocked(ctx, { channel: 'slack', sender: 'spam@example.com' })).toBeNull();
    expect(isBlocked(ctx, { channel: 'email', sender: 'ham@example.com' })).toBeNull();
    // a domain pattern covers that domain on every channel, not look-alikes or subdomains
    expect(isBlocked(ctx, { channel: 'sms', sender: 'anyone@junk.test' })?.id).toBe(domain.id);
    expect(isBlocked(ctx, { channel: 'email', sender: 'anyone@notjunk.test' })).toBeNull();
    expect(isBlocked(ctx, { channel: 'email', sender: 'a@mail.junk.test' })).toBeNull();
    expect(isBlocked(ctx, { channel: 'email', sender: 'deals@eu.marketing.test' })?.id).toBe(glob.id);
    expect(isBlocked(ctx, { channel: 'email', sender: 'deals@marketing.test' })).toBeNull();
    expect(isBlocked(ctx, { channel: 'email', sender: '' })).toBeNull();
  });

  it('matches globs without backtracking blow-up', () => {
    expect(globMatch('a?c*', 'abcdef')).toBe(true);
    expect(globMatch('*x', 'abc')).toBe(false);
    const t0 = performance.now();
    expect(globMatch('*a*a*a*a*a*a*a*b', 'a'.repeat(5000))).toBe(false);
    expect(performance.now() - t0).toBeLessThan(500);
  });

  it('approves at or above the threshold only, and never with a disabled rule', () => {
    const r = rule({ action: 'store', namespace: 'inbox', min_confidence: 0.8 });
    const ctx = app.ctx;
    const p = { action: 'store', namespace: 'inbox', confidence: 0.8 };
    expect(matchAutoApprove(ctx, p)).toEqual({ rule_id: r.id });
    expect(matchAutoApprove(ctx, { ...p, confidence: 0.79 })).toBeNull();
    expect(matchAutoApprove(ctx, { ...p, action: 'delete' })).toBeNull();
    expect(matchAutoApprove(ctx, { ...p, namespace: 'work' })).toBeNull();
    for (const bad of [Number.NaN, 1.5, -0.1])
      expect(matchAutoApprove(ctx, { ...p, confidence: bad })).toBeNull();
    updateRule(ctx, r.id, { enabled: false });
    expect(matchAutoApprove(ctx, p)).toBeNull();
  });

  it('requires every rule tag on the proposal (a subset test), and the kind and source when set', () => {
    const ctx = app.ctx;
    const r = rule({
      action: 'tag',
      namespace: 'notes',
      kind: 'task',
      tags: ['Project-X', 'ok'],
      source: 'mcp:claude',
      min_confidence: 0.5,
    });
    const p = { action: 'tag', namespace: 'notes', kind: 'task', source: 'mcp:claude', confidence: 0.9 };
    expect(matchAutoApprove(ctx, { ...p, tags: ['ok', 'project-x', 'extra'] })).toEqual({ rule_id: r.id });
    expect(matchAutoApprove(ctx, { ...p, tags: ['ok'] })).toBeNull();
    expect(matchAutoApprove(ctx, { ...p, tags: ['ok', 'project-x'], kind: 'note' })).toBeNull();
    expect(matchAutoApprove(ctx, { ...p, tags: ['ok', 'project-x'], source: undefined })).toBeNull();
  });

  it('lets the most specific covering rule decide, so a broad low bar cannot bypass a narrow high one', () => {
    const ctx = app.ctx;
    const broad = rule({ action: 'link', min_confidence: 0.5 });
    const ns = rule({ action: 'link', namespace: 'work', min_confidence: 0.7 });
    const finance = rule({ action: 'link', namespace: 'work', tags: ['finance'], min_confidence: 0.95 });
    const p = { action: 'link', namespace: 'work', confidence: 0.8 };
    expect(matchAutoApprove(ctx, { ...p, namespace: 'home' })).toEqual({ rule_id: broad.id });
    expect(matchAutoApprove(ctx, p)).toEqual({ rule_id: ns.id });
    // the finance rule covers it and its bar is not met: ask the owner
    expect(matchAutoApprove(ctx, { ...p, tags: ['finance'] })).toBeNull();
    expect(matchAutoApprove(ctx, { ...p, tags: ['finance'], confidence: 0.96 })).toEqual({
      rule_id: finance.id,
    });
    // equally specific: the strictest threshold wins
    const strict = rule({ action: 'link', namespace: 'work', kind: 'task', min_confidence: 0.9 });
    rule({ action: 'link', namespace: 'work', source: 'agent', min_confidence: 0.6 });
    const both = { ...p, kind: 'task', source: 'agent' };
    expect(matchAutoApprove(ctx, both)).toBeNull();
    expect(matchAutoApprove(ctx, { ...both, confidence: 0.9 })).toEqual({ rule_id: strict.id });
  });
});

describe('safeguard routes over REST', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': SECRET,
        'rate_limit.enabled': false,
      },
      token: TOKEN,
    });
  });
  afterAll(() => s.close());

  it('creates, lists, pages and deletes blocked senders; duplicates are 409', async () => {
    const a = await s.api.post('/api/v1/exchange/blocked-senders', {
      pattern: 'Bad@Example.com',
      channel: 'email',
    });
    expect(a.status).toBe(201);
    expect(a.body).toMatchObject({
      pattern: 'bad@example.com',
      channel: 'email',
      reason: null,
      created_by: 'token',
    });
    const b = await s.api.post('/api/v1/exchange/blocked-senders', { pattern: '@spam.test', reason: 'bulk' });
    expect(b.body.channel).toBe('*');
    expect(
      (await s.api.post('/api/v1/exchange/blocked-senders', { pattern: 'bad@example.com', channel: 'email' }))
        .status,
    ).toBe(409);
    const first = await s.api.get('/api/v1/exchange/blocked-senders?limit=1');
    expect(first.body.items.map((i: { id: string }) => i.id)).toEqual([a.body.id]);
    const second = await s.api.get(
      `/api/v1/exchange/blocked-senders?limit=1&cursor=${first.body.next_cursor}`,
    );
    expect(second.body).toMatchObject({ items: [{ id: b.body.id }], next_cursor: null });
    expect((await s.api.del(`/api/v1/exchange/blocked-senders/${a.body.id}`)).status).toBe(204);
    expect((await s.api.del(`/api/v1/exchange/blocked-senders/${a.body.id}`)).status).toBe(404);
  });

  it('validates input, naming the field', async () => {
    const everyone = await s.api.post('/api/v1/exchange/blocked-senders', { pattern: '*' });
    expect(everyone.status).toBe(400);
    expect(everyone.body.error.message).toMatch(/^body\.pattern/);
    const extra = await s.api.post('/api/v1/exchange/blocked-senders', { pattern: 'x@y.z', colour: 'red' });
    expect(extra.status).toBe(400);
    const conf = await s.api.post('/api/v1/exchange/auto-approve-rules', {
      action: 'store',
      min_confidence: 1.2,
    });
    expect(conf.status).toBe(400);
    expect(conf.body.error.message).toMatch(/^body\.min_confidence/);
  });

  it('creates, updates and deletes auto-approve rules', async () => {
    const made = await s.api.post('/api/v1/exchange/auto-approve-rules', {
      action: 'store',
      namespace: 'inbox',
      tags: ['#triage'],
      min_confidence: 0.9,
    });
    expect(made.status).toBe(201);
    expect(made.body).toMatchObject({ namespace: 'inbox', tags: ['triage'], kind: null, enabled: true });
    const changed = await s.api.put(`/api/v1/exchange/auto-approve-rules/${made.body.id}`, {
      min_confidence: 0.75,
      kind: 'task',
      enabled: false,
    });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      min_confidence: 0.75,
      kind: 'task',
      enabled: false,
      tags: ['triage'],
    });
    const cleared = await s.api.put(`/api/v1/exchange/auto-approve-rules/${made.body.id}`, { kind: null });
    expect(cleared.body.kind).toBeNull();
    expect((await s.api.put(`/api/v1/exchange/auto-approve-rules/${made.body.id}`, {})).status).toBe(400);
    const listed = await s.api.get('/api/v1/exchange/auto-approve-rules');
    expect(listed.body.items.map((r: { id: string }) => r.id)).toContain(made.body.id);
    expect((await s.api.del(`/api/v1/exchange/auto-approve-rules/${made.body.id}`)).status).toBe(204);
    expect(
      (await s.api.put(`/api/v1/exchange/auto-approve-rules/${made.body.id}`, { enabled: true })).status,
    ).toBe(404);
  });

  it('is admin only, reads included, and audits the writes', async () => {
    for (const role of ['read', 'write']) {
      const t = bearer(await jwt(role));
      expect((await s.api.get('/api/v1/exchange/blocked-senders', t)).status).toBe(403);
      expect((await s.api.post('/api/v1/exchange/blocked-senders', { pattern: 'x@y.z' }, t)).status).toBe(
        403,
      );
      expect((await s.api.get('/api/v1/exchange/auto-approve-rules', t)).status).toBe(403);
      const rule = { action: 'store', min_confidence: 0 };
      expect((await s.api.post('/api/v1/exchange/auto-approve-rules', rule, t)).status).toBe(403);
    }
    expect((await s.api.get('/api/v1/exchange/blocked-senders', { authorization: '' })).status).toBe(401);
    const made = await s.api.post('/api/v1/exchange/blocked-senders', { pattern: 'audited@example.com' });
    const audit = await s.api.get(
      `/api/v1/audit/query?action=${encodeURIComponent('POST /api/v1/exchange/blocked-senders')}`,
    );
    expect(
      audit.body.items.some(
        (r: { outcome: string; actor: string }) => r.actor === 'token' && r.outcome === 'success',
      ),
    ).toBe(true);
    expect(
      audit.body.items.some(
        (r: { outcome: string; actor: string }) => r.actor === 'read-user' && r.outcome === 'denied',
      ),
    ).toBe(true);
    await s.api.del(`/api/v1/exchange/blocked-senders/${made.body.id}`);
    const del = await s.api.get(`/api/v1/audit/query?target=${made.body.id}`);
    expect(del.body.items[0]).toMatchObject({
      action: 'DELETE /api/v1/exchange/blocked-senders/:id',
      outcome: 'success',
    });
  });
});
