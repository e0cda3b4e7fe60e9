/**
 * What resolving each kind of credential costs in `createAuthenticator` (the function every
 * surface calls), per call, in one process over one real database: the shared token (baseline,
 * no database), an API key and a consumer access key (prefix lookup + SHA-256 + constant-time
 * compare; `last_used_at` written at most once a minute), a plain HS256 JWT, and an OAuth client
 * JWT (the same verify + the client revocation lookup). Interleaved rounds so machine drift hits every arm alike.
 *
 *   ROUNDS=10 PER_ROUND=5000 node --import tsx bench/key-auth.ts
 */
import { SignJWT } from 'jose';
import { createApp } from '../src/api/create-app.js';
import { loadConfig } from '../src/core/config/load.js';
import { createAuthenticator } from '../src/security/authenticate.js';
import { createAccessKey, createApiKey } from '../src/security/keys/service.js';
import { createTemplate } from '../src/security/keys/templates.js';
import { createClient, issueToken } from '../src/security/oauth/service.js';
import { removeDir, tempDir } from '../test/support/temp.js';
import { fmt, markdownTable, printHeader, setting, summarize } from './support/report.js';

const ROUNDS = setting('ROUNDS', 10);
const PER_ROUND = setting('PER_ROUND', 5000);
const TOKEN = 'bench-shared-token-0123456789abcdef';
const SECRET = 'bench-jwt-secret-0123456789abcdef0123';

const home = tempDir();
const app = createApp(
  loadConfig({
    home,
    env: {},
    cwd: home,
    flags: { 'auth.enabled': true, 'auth.token': TOKEN, 'auth.jwt_secret': SECRET },
  }),
);
try {
  const { ctx } = app;
  const apiKey = createApiKey(ctx, { name: 'bench', role: 'read', namespaces: ['*'] }, 'bench').key;
  // other keys in the table, so the prefix index has something to skip
  for (let i = 0; i < 1000; i++)
    createApiKey(ctx, { name: `k${i}`, role: 'read', namespaces: ['*'] }, 'bench');
  const t = createTemplate(ctx, {
    name: 'bench',
    tier: 'edit',
    scope_namespace: 'work',
    scope_tags: ['project-x'],
    allow_kinds: ['task'],
    allow_actions: [],
  });
  const accessKey = createAccessKey(ctx, { name: 'bench', template_id: t.id }).key;
  const client = createClient(ctx, { name: 'bench', role: 'write', namespace: 'work' });
  const row = ctx.db.prepare('SELECT * FROM oauth_clients WHERE id = ?').get(client.client_id) as never;
  const jwt = (await issueToken(ctx, row, undefined)).access_token;
  const plainJwt = await new SignJWT({ role: 'write', namespace: 'work' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('bench')
    .setExpirationTime('1h')
    .sign(new TextEncoder().encode(SECRET));
  const auth = createAuthenticator(ctx);
  const arms: [string, string][] = [
    ['shared token (baseline)', TOKEN],
    ['API key', apiKey],
    ['access key (template join)', accessKey],
    ['plain JWT (HS256 verify)', plainJwt],
    ['OAuth JWT (verify + client check)', jwt],
  ];
  const samples = new Map<string, number[]>(arms.map(([n]) => [n, []]));
  for (const [, v] of arms) for (let i = 0; i < 500; i++) await auth(`Bearer ${v}`); // warm up
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 ? [...arms].reverse() : arms;
    for (const [name, value] of order) {
      const header = `Bearer ${value}`;
      const t0 = process.hrtime.bigint();
      for (let i = 0; i < PER_ROUND; i++) await auth(header);
      samples.get(name)!.push(Number(process.hrtime.bigint() - t0) / 1e3 / PER_ROUND);
    }
  }
  printHeader('Key authentication cost per call', 'key-auth.ts', { ROUNDS, PER_ROUND });
  const base = summarize(samples.get(arms[0]![0])!).p50;
  const rows = arms.map(([name]) => {
    const s = summarize(samples.get(name)!);
    return [name, fmt(s.p50), fmt(s.p90), fmt(s.p50 - base)];
  });
  console.log(markdownTable(['credential', 'µs/call p50 (of rounds)', 'p90', 'vs baseline µs'], rows));
} finally {
  app.close();
  removeDir(home);
}
