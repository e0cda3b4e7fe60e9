import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpResult, Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';

/**
 * Public shares over real sockets: token shown once and stored hashed, a safe HTML page (no
 * script from content can run) or JSON by Accept, and one plain 404 for unknown, guessed,
 * revoked and expired tokens.
 */
const TOKEN = 'shares-test-admin-token-0123456789';
const admin = { authorization: `Bearer ${TOKEN}` };
const HTML = { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' };
const JSON_ACCEPT = { accept: 'application/json' };

const HOSTILE = [
  '# Plan <img src=x onerror=alert(1)>',
  '',
  'Hello **world** and *you*, see [docs](https://example.com/a?b=1&c=2) and `code <b>`.',
  '<script>alert(document.cookie)</script>',
  '[click me](javascript:alert(1)) [data](data:text/html;base64,PHNjcmlwdD4=) [x](JAVASCRIPT:alert(2))',
  '[quote](https://example.com/"onmouseover="alert(3))',
  '<a href="javascript:alert(4)">raw link</a> <svg onload=alert(5)></svg>',
  '- item one',
  '- item <iframe src=//evil>',
  '',
  '```',
  '<script>alert("in code")</script>',
  '```',
].join('\n');

/** Every tag and attribute in a page: only the renderer's own may appear. */
function tagsOf(html: string) {
  return [...html.matchAll(/<([a-zA-Z][a-zA-Z0-9]*)([^>]*)>/g)].map((m) => ({
    name: m[1]!.toLowerCase(),
    attrs: m[2]!,
  }));
}

const plain404 = (res: HttpResult) => {
  expect(res.status).toBe(404);
  const { request_id: _id, ...rest } = res.body.error;
  return JSON.stringify(rest);
};

describe('public shares', () => {
  let s: TestServer;
  let node: Json;
  let share: Json;
  const open = (token: string, headers: Record<string, string> = HTML) =>
    s.api.get(`/public/shares/${token}`, headers);

  beforeAll(async () => {
    s = await startTestServer({
      flags: { 'auth.enabled': true, 'auth.token': TOKEN, 'rate_limit.requests': 10_000 },
    });
    const made = await s.api.post(
      '/api/v1/nodes',
      {
        title: 'Launch <b>plan</b>',
        content: HOSTILE,
        tags: ['public'],
        namespace: 'work',
        metadata: { private: 'internal-only' },
      },
      admin,
    );
    expect(made.status).toBe(201);
    node = made.body;
    const res = await s.api.post('/api/v1/shares', { node_id: node.id }, admin);
    expect(res.status, res.text).toBe(201);
    share = res.body;
  });
  afterAll(async () => {
    await s?.close();
  });

  it('returns the token once, stores only its hash, and lists shares without tokens', async () => {
    expect(share.token).toMatch(/^hx_sh_[A-Za-z0-9_-]{43}$/);
    expect(share.url).toBe(`/public/shares/${share.token}`);
    const row = s.running.app.ctx.db.prepare('SELECT * FROM shares WHERE id = ?').get(share.id) as Json;
    expect(row.token_hash).toBe(createHash('sha256').update(share.token).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(share.token);
    const list = await s.api.get(`/api/v1/shares?node_id=${node.id}`, admin);
    expect(list.body.items.map((x: Json) => x.id)).toEqual([share.id]);
    expect(list.text).not.toContain(share.token);
    expect((await s.api.get('/api/v1/shares')).status).toBe(401);
  });

  it('renders a clean page where no script from the content can run', async () => {
    const res = await open(share.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    const csp = res.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain('sandbox');
    expect(csp).not.toMatch(/script-src|unsafe-inline|unsafe-eval/);
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('cache-control')).toBe('no-store');
    const html = res.text;
    expect(html).not.toMatch(/<script|<iframe|<svg|<img/i);
    expect(html).toContain('&lt;script&gt;alert(document.cookie)&lt;/script&gt;');
    expect(html).toContain('<h1>Plan &lt;img src=x onerror=alert(1)&gt;</h1>');
    // a link to anything but http(s) keeps only its text
    expect(html).toContain('click me) data x)');
    const allowed = new Set([
      'html',
      'head',
      'meta',
      'title',
      'style',
      'body',
      'main',
      'article',
      'h1',
      'div',
      'p',
      'strong',
      'em',
      'a',
      'code',
      'pre',
      'ul',
      'ol',
      'li',
      'br',
      'footer',
      'blockquote',
      'hr',
    ]);
    for (const tag of tagsOf(html.replace(/<!doctype html>/i, ''))) {
      expect(allowed.has(tag.name), tag.name).toBe(true);
      // no event handler and no script URL in any attribute the page carries
      expect(tag.attrs).not.toMatch(/\son\w+\s*=|javascript:|data:/i);
      if (tag.name === 'a')
        expect(tag.attrs).toMatch(/^ href="https:\/\/[^"]*" rel="nofollow noopener noreferrer"$/);
    }
    // markdown still renders: heading, emphasis, the safe link, a list, code
    expect(html).toContain('<strong>world</strong>');
    expect(html).toContain('<em>you</em>');
    expect(html).toContain(
      '<a href="https://example.com/a?b=1&amp;c=2" rel="nofollow noopener noreferrer">docs</a>',
    );
    expect(html).toContain('<li>item one</li>');
    expect(html).toContain('<code>code &lt;b&gt;</code>');
    expect(html).toContain('<pre><code>&lt;script&gt;alert(&quot;in code&quot;)&lt;/script&gt;</code></pre>');
    expect(html).toContain('<title>Launch &lt;b&gt;plan&lt;/b&gt;</title>');
    expect(html).not.toContain('internal-only');
  });

  it('answers JSON by Accept, with only the public fields', async () => {
    const res = await open(share.token, JSON_ACCEPT);
    expect(res.status).toBe(200);
    expect(Object.keys(res.body).sort()).toEqual([
      'content',
      'created_at',
      'kind',
      'tags',
      'title',
      'updated_at',
    ]);
    expect(res.body.content).toBe(HOSTILE);
    expect(res.text).not.toContain('internal-only');
    expect(res.text).not.toContain('"work"');
  });

  it('answers guessed, malformed, revoked and expired tokens with the same plain 404', async () => {
    const guessed = plain404(await open(`hx_sh_${'A'.repeat(43)}`));
    const bodies = [
      plain404(await open('nope')),
      plain404(await open(share.token.slice(0, -2))),
      plain404(
        await open(`${share.token.slice(0, -1)}${share.token.endsWith('A') ? 'B' : 'A'}`, JSON_ACCEPT),
      ),
    ];
    const expiring = (
      await s.api.post(
        '/api/v1/shares',
        { node_id: node.id, expires_at: new Date(Date.now() + 60_000).toISOString() },
        admin,
      )
    ).body;
    expect((await open(expiring.token)).status).toBe(200);
    s.running.app.ctx.db
      .prepare('UPDATE shares SET expires_at = ? WHERE id = ?')
      .run(new Date(Date.now() - 1000).toISOString(), expiring.id);
    bodies.push(plain404(await open(expiring.token)));
    const revocable = (await s.api.post('/api/v1/shares', { node_id: node.id }, admin)).body;
    expect((await s.api.del(`/api/v1/shares/${revocable.id}`, admin)).status).toBe(204);
    bodies.push(plain404(await open(revocable.token)));
    for (const b of bodies) expect(b).toBe(guessed);
    expect(guessed).toBe(JSON.stringify({ code: 'not_found', message: 'not found', details: null }));
    // the original share still works; a deleted node takes its shares with it
    expect((await open(share.token)).status).toBe(200);
    const gone = (await s.api.post('/api/v1/nodes', { content: 'temporary' }, admin)).body;
    const goneShare = (await s.api.post('/api/v1/shares', { node_id: gone.id }, admin)).body;
    expect((await s.api.del(`/api/v1/nodes/${gone.id}`, admin)).status).toBe(204);
    expect(plain404(await open(goneShare.token))).toBe(guessed);
  });

  it('does not tell unknown and revoked tokens apart by timing', async () => {
    const revoked = (await s.api.post('/api/v1/shares', { node_id: node.id }, admin)).body;
    await s.api.del(`/api/v1/shares/${revoked.id}`, admin);
    const time = async (token: string) => {
      const t0 = process.hrtime.bigint();
      await open(token);
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const unknown: number[] = [];
    const known: number[] = [];
    // alternate which goes first, so warm-up and connection reuse favour neither
    for (let i = 0; i < 60; i++) {
      const guess = `hx_sh_${Buffer.alloc(32, i).toString('base64url')}`;
      if (i % 2) {
        unknown.push(await time(guess));
        known.push(await time(revoked.token));
      } else {
        known.push(await time(revoked.token));
        unknown.push(await time(guess));
      }
    }
    // both paths are one hash and one indexed read: the medians differ by noise only
    const a = median(unknown);
    const b = median(known);
    expect(Math.abs(a - b)).toBeLessThan(Math.max(1, 0.5 * Math.min(a, b)));
  });

  it('lets only a writer inside the node’s scope share it', async () => {
    const reader = (await s.api.post('/api/v1/keys', { name: 'r', role: 'read', namespaces: ['*'] }, admin))
      .body.key;
    const other = (
      await s.api.post('/api/v1/keys', { name: 'o', role: 'write', namespaces: ['home'] }, admin)
    ).body.key;
    const writer = (
      await s.api.post('/api/v1/keys', { name: 'w', role: 'write', namespaces: ['work'] }, admin)
    ).body.key;
    expect(
      (await s.api.post('/api/v1/shares', { node_id: node.id }, { authorization: `Bearer ${reader}` }))
        .status,
    ).toBe(403);
    expect(
      (await s.api.post('/api/v1/shares', { node_id: node.id }, { authorization: `Bearer ${other}` })).status,
    ).toBe(404);
    expect((await s.api.get('/api/v1/shares', { authorization: `Bearer ${other}` })).body.items).toEqual([]);
    expect((await s.api.del(`/api/v1/shares/${share.id}`, { authorization: `Bearer ${other}` })).status).toBe(
      404,
    );
    const mine = await s.api.post(
      '/api/v1/shares',
      { node_id: node.id },
      { authorization: `Bearer ${writer}` },
    );
    expect(mine.status).toBe(201);
    const past = await s.api.post(
      '/api/v1/shares',
      { node_id: node.id, expires_at: '2020-01-01T00:00:00Z' },
      admin,
    );
    expect(past.status).toBe(400);
  });
});

describe('share tokens in logs', () => {
  it('never writes a share token to the log (the URL carries it)', async () => {
    const s = await startTestServer({
      flags: { 'auth.enabled': true, 'auth.token': TOKEN, 'logging.level': 'info' },
    });
    try {
      const node = (await s.api.post('/api/v1/nodes', { content: 'logged' }, admin)).body;
      const share = (await s.api.post('/api/v1/shares', { node_id: node.id }, admin)).body;
      expect((await open(s, share.token)).status).toBe(200);
      expect((await open(s, `${share.token.slice(0, -1)}x`)).status).toBe(404);
      const log = join(s.running.app.ctx.paths.logDir, 'helix.log');
      s.running.app.ctx.logger.flush?.();
      await vi.waitFor(() => expect(readFileSync(log, 'utf8')).toContain('/public/shares/'), {
        timeout: 5000,
      });
      const text = readFileSync(log, 'utf8');
      expect(text).not.toContain(share.token);
      expect(text).not.toContain(share.token.slice(6, 30));
    } finally {
      await s.close();
    }
  });
});

function open(s: TestServer, token: string) {
  return s.api.get(`/public/shares/${token}`, { accept: 'application/json' });
}
