import { describe, expect, it } from 'vitest';
import { auditEntryFor, type ResponseFacts } from './audit-entry.js';
import { localAdmin, type Principal } from './principal.js';

const alice: Principal = { id: 'alice', role: 'write', namespaces: ['work'], via: 'jwt' };
const ID = '0190a0b0-0000-7000-8000-0000000000aa';

const facts = (o: Partial<ResponseFacts> = {}): ResponseFacts => ({
  method: 'POST',
  route: '/api/v1/nodes',
  status: 201,
  principal: alice,
  params: {},
  body: { namespace: 'work', content: 'secret text' },
  requestId: 'r1',
  ip: '127.0.0.1',
  ...o,
});

describe('auditEntryFor', () => {
  it('records a write with the route pattern, path id and body namespace, nothing else of the body', () => {
    const e = auditEntryFor(facts({ method: 'PUT', route: '/api/v1/nodes/:id', params: { id: ID } }));
    expect(e).toMatchObject({
      actor: 'alice',
      actor_via: 'jwt',
      action: 'PUT /api/v1/nodes/:id',
      target: ID,
      namespace: 'work',
      outcome: 'success',
    });
    expect(JSON.stringify(e)).not.toContain('secret text');
  });

  it('skips reads but records a denied read and every 401 as an anonymous auth failure', () => {
    expect(auditEntryFor(facts({ method: 'GET', status: 200 }))).toBeNull();
    expect(auditEntryFor(facts({ method: 'GET', status: 403 }))?.outcome).toBe('denied');
    const e = auditEntryFor(facts({ status: 401, principal: null }));
    expect(e).toMatchObject({
      actor: 'anonymous',
      action: 'auth.failure',
      outcome: 'failure',
      ip: '127.0.0.1',
    });
  });

  it('records the local owner when auth is off, and ignores non-id path params and odd namespaces', () => {
    const e = auditEntryFor(
      facts({
        principal: localAdmin,
        params: { token: 'abc', id: 'not-a-uuid' },
        body: { namespace: '../x' },
      }),
    );
    expect(e).toMatchObject({ actor: 'local', target: null, namespace: null });
    expect(auditEntryFor(facts({ principal: null, status: 200 }))).toBeNull();
    expect(auditEntryFor(facts({ status: 500 }))?.outcome).toBe('error');
    expect(auditEntryFor(facts({ status: 400 }))?.outcome).toBe('failure');
  });
});
