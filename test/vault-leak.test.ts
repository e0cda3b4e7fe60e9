import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HttpResult, Json } from './support/http.js';
import { startTestServer, type TestServer } from './support/server.js';
import { removeDir, tempDir } from './support/temp.js';

/**
 * The grep test: a session with known secret values (passphrases, shares, credential and secret
 * values, happy and error paths), then every log file, audit row, error body, database text column
 * and the raw database files are searched for them, raw, base64, base64url and hex.
 */
const PASS = 'leak-test-passphrase-QX7';
const NEW_PASS = 'leak-test-new-passphrase-ZK9';
const VALUES = [
  'cred-value-AAA-91827364',
  'cred-value-BBB-56473829',
  'secret-value-CCC-10293847',
  'file-key-DDD-38475610',
];

const forms = (s: string) => [
  s,
  Buffer.from(s).toString('base64'),
  Buffer.from(s).toString('base64url'),
  Buffer.from(s).toString('hex'),
];

describe('no secret leaks', () => {
  let s: TestServer;
  let home: string;
  const known: string[] = [PASS, NEW_PASS, ...VALUES];
  const errorBodies: string[] = [];
  let revealed = '';
  const track = (r: HttpResult) => {
    if (r.status >= 400) errorBodies.push(r.text);
    return r;
  };

  beforeAll(async () => {
    home = tempDir();
    s = await startTestServer({ home, flags: { 'logging.level': 'trace' } });
    const api = s.api;
    const init = track(
      await api.post('/api/v1/keychain/init', { passphrase: PASS, shares: 3, threshold: 2 }),
    );
    const shares = init.body.shares as string[];
    known.push(...shares);
    const c = track(
      await api.post('/api/v1/keychain/credentials', { name: 'a', kind: 'password', value: VALUES[0] }),
    );
    track(await api.put(`/api/v1/keychain/credentials/${c.body.id}`, { value: VALUES[1] }));
    track(await api.get(`/api/v1/keychain/credentials/${c.body.id}?version=1`));
    track(await api.post('/api/v1/secrets', { key: 'svc', value: VALUES[2] }));
    revealed = track(await api.get('/api/v1/secrets/svc')).text;
    // error paths that carry a secret in the request
    track(await api.post('/api/v1/secrets', { key: 'bad key!', value: VALUES[3] }));
    track(await api.post('/api/v1/secrets', { key: 'ok', value: VALUES[3], extra: VALUES[3] }));
    track(await api.post('/api/v1/keychain/credentials', { name: 'b', kind: 'BAD KIND', value: VALUES[3] }));
    track(
      await api.request('POST', '/api/v1/secrets', {
        body: `{"key":"x","value":"${VALUES[3]}"`,
        headers: { 'content-type': 'application/json' },
      }),
    );
    track(await api.post('/api/v1/keychain/seal', {}));
    track(await api.post('/api/v1/keychain/unseal', { passphrase: `${PASS}-wrong` }));
    track(await api.get('/api/v1/secrets/svc'));
    track(await api.post('/api/v1/keychain/shamir/submit', { share: `${shares[0]!.slice(0, -2)}zz` }));
    track(await api.post('/api/v1/keychain/shamir/submit', { share: shares[0] }));
    track(await api.post('/api/v1/keychain/shamir/submit', { share: shares[1] }));
    track(await api.post('/api/v1/keychain/rotate', { new_passphrase: NEW_PASS }));
    track(await api.post('/api/v1/keychain/init', { passphrase: PASS }));
    track(await api.post('/api/v1/secrets/unlock', { passphrase: PASS }));
    await new Promise((r) => setTimeout(r, 300)); // audit rows are written after the response
  });
  afterAll(async () => {
    await s?.close();
    removeDir(home);
  });

  const hits = (text: string) => known.flatMap(forms).filter((f) => text.includes(f));

  it('the session really exercised errors, and the detector finds a value where it belongs', () => {
    expect(errorBodies.length).toBeGreaterThanOrEqual(8);
    expect(hits(revealed)).toEqual([VALUES[2]]);
  });

  it('error bodies carry none', () => {
    for (const body of errorBodies) expect(hits(body), body).toEqual([]);
  });

  it('audit rows carry none, and unseal attempts are on record', () => {
    const rows = s.running.app.ctx.db.prepare('SELECT * FROM audit_log').all() as Json[];
    expect(rows.some((r) => r.action === 'keychain.unseal' && r.outcome === 'denied')).toBe(true);
    expect(rows.some((r) => r.action === 'keychain.shamir.unseal' && r.outcome === 'success')).toBe(true);
    expect(hits(JSON.stringify(rows))).toEqual([]);
  });

  it('log files carry none', () => {
    const logDir = s.running.app.ctx.paths.logDir;
    const files = readdirSync(logDir);
    expect(files.length).toBeGreaterThan(0);
    let total = 0;
    for (const f of files) {
      const text = readFileSync(join(logDir, f), 'utf8');
      total += text.length;
      expect(hits(text), f).toEqual([]);
    }
    expect(total).toBeGreaterThan(0);
  });

  it('no text column of any table carries one, and neither do the raw database files', () => {
    const db = s.running.app.ctx.db;
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
      .all() as {
      name: string;
    }[];
    let cells = 0;
    for (const { name } of tables) {
      if (/_fts(_|$)/.test(name)) continue;
      for (const row of db.prepare(`SELECT * FROM "${name}"`).all() as Record<string, unknown>[]) {
        for (const [col, v] of Object.entries(row)) {
          if (typeof v !== 'string') continue;
          cells++;
          expect(hits(v), `${name}.${col}`).toEqual([]);
        }
      }
    }
    expect(cells).toBeGreaterThan(20);
    db.pragma('wal_checkpoint(TRUNCATE)');
    const dbPath = s.running.app.ctx.paths.sqlitePath;
    for (const f of [dbPath, `${dbPath}-wal`]) {
      let raw: string;
      try {
        raw = readFileSync(f).toString('latin1');
      } catch {
        continue;
      }
      expect(hits(raw), f).toEqual([]);
    }
  });
});
