import { describe, expect, it } from 'vitest';
import { grantedRole, OAuthError } from './service.js';

describe('OAuth scope → role', () => {
  it('grants the client role, or a lesser one on request, never a greater one', () => {
    expect(grantedRole('write', undefined)).toBe('write');
    expect(grantedRole('write', '  ')).toBe('write');
    expect(grantedRole('write', 'read')).toBe('read');
    expect(grantedRole('admin', 'read write')).toBe('write');
    expect(() => grantedRole('read', 'write')).toThrow(OAuthError);
    try {
      grantedRole('write', 'superuser');
    } catch (err) {
      expect((err as OAuthError).error).toBe('invalid_scope');
    }
  });
});
