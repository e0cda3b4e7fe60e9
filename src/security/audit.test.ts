import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../testing/make-context.js';
import { auditRecorder, queryAudit, recordAudit } from './audit.js';
import type { AuditEntry } from './audit-entry.js';

const TOKEN = 'unit-audit-token-0123456789';

const entry = (overrides: Partial<AuditEntry> = {}): AuditEntry => ({
  actor: 'alice',
  actor_via: 'jwt',
  role: 'write',
  action: 'POST /api/v1/nodes',
  target: null,
  namespace: 'work',
  outcome: 'success',
  status: 201,
  request_id: 'req-1',
  ip: '127.0.0.1',
  ...overrides,
});

describe('audit store', () => {
  let app: TestApp;
  beforeEach(() => {
    app = makeTestApp({ 'auth.enabled': true, 'auth.token': TOKEN });
  });
  afterEach(() => app.dispose());

  it('records a row with a UUIDv7 id and the clock time, and lists it back', () => {
    const rec = recordAudit(app.ctx, entry());
    expect(rec.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7/);
    expect(rec.at).toBe('2026-01-01T00:00:00.000Z');
    const page = queryAudit(app.ctx, { limit: 10 });
    expect(page.items).toEqual([rec]);
    expect(page.next_cursor).toBeNull();
  });

  it('filters by actor, action, target, namespace, outcome and time range', () => {
    const { ctx, clock } = app;
    recordAudit(ctx, entry({ actor: 'alice' }));
    clock.advance(60_000);
    recordAudit(ctx, entry({ actor: 'bob', target: '0190a0b0-0000-7000-8000-000000000001' }));
    clock.advance(60_000);
    recordAudit(ctx, entry({ actor: 'bob', action: 'auth.failure', outcome: 'failure', namespace: null }));
    const q = (f: Parameters<typeof queryAudit>[1]) => queryAudit(ctx, f).items.map((r) => r.actor);
    expect(q({ limit: 10, actor: 'bob' })).toEqual(['bob', 'bob']);
    expect(q({ limit: 10, action: 'auth.failure' })).toEqual(['bob']);
    expect(q({ limit: 10, target: '0190a0b0-0000-7000-8000-000000000001' })).toEqual(['bob']);
    expect(q({ limit: 10, namespace: 'work' })).toEqual(['bob', 'alice']);
    expect(q({ limit: 10, outcome: 'failure' })).toEqual(['bob']);
    expect(q({ limit: 10, since: '2026-01-01T00:01:00.000Z' })).toEqual(['bob', 'bob']);
    expect(q({ limit: 10, until: '2026-01-01T00:01:00.000Z' })).toEqual(['alice']);
    expect(
      q({ limit: 10, since: '2026-01-01T00:00:30.000Z', until: '2026-01-01T00:01:30.000Z', actor: 'bob' }),
    ).toHaveLength(1);
  });

  it('pages newest first with an opaque cursor, without gaps or repeats', () => {
    for (let i = 0; i < 7; i++) recordAudit(app.ctx, entry({ request_id: `req-${i}` }));
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = queryAudit(app.ctx, { limit: 3, cursor });
      seen.push(...page.items.map((r) => r.request_id));
      cursor = page.next_cursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(['req-6', 'req-5', 'req-4', 'req-3', 'req-2', 'req-1', 'req-0']);
    expect(() => queryAudit(app.ctx, { limit: 3, cursor: 'not-a-cursor' })).toThrow(/cursor/);
  });

  it('refuses UPDATE and DELETE: the log is append-only', () => {
    recordAudit(app.ctx, entry());
    const { db } = app.ctx;
    expect(() => db.prepare("UPDATE audit_log SET actor = 'mallory'").run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
    expect(queryAudit(app.ctx, { limit: 10 }).items[0]?.actor).toBe('alice');
  });

  it('redacts a known secret found in any column, raw or base64', () => {
    const b64 = Buffer.from(TOKEN).toString('base64');
    const rec = recordAudit(app.ctx, entry({ actor: `x${TOKEN}`, action: `POST ${b64}` }));
    expect(rec.actor).toBe('x[redacted]');
    expect(rec.action).toBe('POST [redacted]');
    const dump = JSON.stringify(app.ctx.db.prepare('SELECT * FROM audit_log').all());
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(b64);
  });

  it('logs and swallows a failed write instead of throwing into the request', () => {
    const errors: unknown[] = [];
    const ctx = { ...app.ctx, logger: { ...app.ctx.logger, error: (o: unknown) => errors.push(o) } };
    const record = auditRecorder(ctx as typeof app.ctx);
    app.ctx.db.exec('DROP TRIGGER audit_log_no_delete; DROP TABLE audit_log');
    expect(() => record(entry())).not.toThrow();
    expect(errors).toHaveLength(1);
  });
});
