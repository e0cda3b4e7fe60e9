import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportError } from '../src/cli/main.js';
import { HelixError } from '../src/core/errors.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir, waitFor } from './support/temp.js';

/**
 * The output sanitizer end to end: requests that try to make the server echo its secrets (in a
 * URL, a query string, an Authorization header) must find them masked in the error body, the log
 * file and the audit trail, raw and base64-encoded.
 */
const TOKEN = 'redaction-shared-token-0123456789';
const JWT_SECRET = 'redaction-jwt-secret-0123456789abcdef';
const EMBED_KEY = 'emb-key-redaction-0123456789';
const OPENAI_SHAPE = 'sk-proj-NotARealKeyButShapedLikeOne0123';
const secrets = [TOKEN, JWT_SECRET, EMBED_KEY, OPENAI_SHAPE];
const encoded = (s: string) => [s, Buffer.from(s).toString('base64'), Buffer.from(s).toString('base64url')];
const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

function expectClean(text: string, where: string) {
  for (const s of secrets)
    for (const form of encoded(s)) expect(text.includes(form), `${where} leaks ${form}`).toBe(false);
}

describe('secrets never reach error bodies, the log file or audit rows', () => {
  let home: string;
  let s: TestServer;
  const bodies: string[] = [];
  beforeAll(async () => {
    home = tempDir();
    s = await startTestServer({
      home,
      token: TOKEN,
      flags: {
        'auth.enabled': true,
        'auth.token': TOKEN,
        'auth.jwt_secret': JWT_SECRET,
        'embedding.api_key': EMBED_KEY,
        'rate_limit.enabled': false,
        'logging.level': 'info',
      },
    });
  });
  afterAll(async () => {
    await s?.close();
    removeDir(home);
  });

  it('masks secrets a request makes the server echo in error messages', async () => {
    for (const secret of secrets) {
      for (const form of encoded(secret)) {
        // the 404 message quotes the path
        const notFound = await s.api.get(`/api/v1/no-such-route/${form}?key=${form}`);
        expect(notFound.status).toBe(404);
        expect(notFound.body.error.message).toContain('[redacted]');
        bodies.push(notFound.text);
      }
    }
    // an Authorization header pasted into a path, and a JWT signed with the server's own secret
    const jwt = await new SignJWT({ role: 'admin', namespace: '*' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('x')
      .sign(new TextEncoder().encode(JWT_SECRET));
    const pasted = await s.api.get(`/api/v1/${encodeURIComponent(`Bearer ${TOKEN}`)}/${jwt}`);
    expect(pasted.body.error.message).not.toContain(jwt);
    bodies.push(pasted.text);
    // a failed login with the secret as a wrong-scheme credential
    const wrong = await s.api.get('/api/v1/nodes', { authorization: `Token ${TOKEN}x` });
    expect(wrong.status).toBe(401);
    bodies.push(wrong.text);
    for (const b of bodies) expectClean(b, 'error body');
  });

  it('stores a node whose title contains the token (data is not output) and returns it unchanged', async () => {
    const made = await s.api.post('/api/v1/nodes', {
      kind: 'fact',
      title: `note about ${TOKEN}`,
      content: 'x',
    });
    expect(made.status).toBe(201);
    expect((await s.api.get(`/api/v1/nodes/${made.body.id}`)).body.title).toBe(`note about ${TOKEN}`);
  });

  it('keeps the audit trail clean after failed and successful attempts', async () => {
    for (const form of encoded(TOKEN)) await s.api.get('/api/v1/nodes', bearer(`${form}-wrong`));
    await s.api.post(
      '/api/v1/nodes',
      { kind: 'fact', content: 'y' },
      bearer(
        await new SignJWT({ role: 'read', namespace: '*' })
          .setProtectedHeader({ alg: 'HS256' })
          .setSubject(OPENAI_SHAPE)
          .setExpirationTime('5m')
          .sign(new TextEncoder().encode(JWT_SECRET)),
      ),
    );
    const audit = await s.api.get('/api/v1/audit?limit=1000');
    expect(audit.status).toBe(200);
    expect(audit.body.items.length).toBeGreaterThan(3);
    // the JWT subject shaped like an OpenAI key is masked in the actor column
    expect(audit.body.items.some((r: { actor: string }) => r.actor === '[redacted]')).toBe(true);
    expectClean(audit.text, 'audit rows');
  });

  it('keeps the log file clean, although request URLs are logged', async () => {
    await s.close();
    const log = await waitFor(() => {
      const text = readFileSync(join(home, 'logs', 'helix.log'), 'utf8');
      return text.includes('no-such-route') ? text : null;
    }, 'log lines');
    expect(log).toContain('[redacted]');
    expectClean(log, 'log file');
  });
});

describe('CLI error output', () => {
  it('masks known secrets and key shapes in reportError', () => {
    const chunks: string[] = [];
    const write = process.stderr.write.bind(process.stderr);
    process.env.HELIX_TEST_REDACTION_TOKEN = 'cli-env-secret-0123456789';
    process.stderr.write = ((c: string) => {
      chunks.push(String(c));
      return true;
    }) as typeof process.stderr.write;
    try {
      reportError(new Error('server said: Authorization: Bearer abcdefghijklmnop'), false);
      reportError(
        new HelixError('unavailable', `upstream echoed ${OPENAI_SHAPE}`, { key: OPENAI_SHAPE }),
        true,
      );
      reportError(new Error('value cli-env-secret-0123456789 rejected'), false);
    } finally {
      process.stderr.write = write;
      delete process.env.HELIX_TEST_REDACTION_TOKEN;
    }
    const out = chunks.join('');
    expect(out).toContain('Bearer [redacted]');
    expect(out).not.toContain('abcdefghijklmnop');
    expect(out).not.toContain(OPENAI_SHAPE);
    expect(out).not.toContain('cli-env-secret-0123456789');
  });
});
