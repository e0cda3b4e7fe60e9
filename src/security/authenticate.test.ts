import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import { configSchema } from '../core/config/schema.js';
import { authenticate } from './authenticate.js';
import { localAdmin } from './principal.js';

const SECRET = 'authenticate-test-secret-0123456789';
const config = configSchema.parse({
  auth: { enabled: true, token: 'shared-token-abc', role: 'read', namespace: 'notes', jwt_secret: SECRET },
});
const jwt = () =>
  new SignJWT({ role: 'admin', namespace: '*' })
    .setProtectedHeader({ alg: 'HS256' })
    .setSubject('svc')
    .setExpirationTime('5m')
    .sign(new TextEncoder().encode(SECRET));

describe('authenticate', () => {
  it('is the local admin when auth is disabled', async () => {
    expect(await authenticate(configSchema.parse({}), undefined)).toBe(localAdmin);
  });

  it('keeps the shared token working next to JWTs', async () => {
    const p = await authenticate(config, 'Bearer shared-token-abc');
    expect(p).toEqual({ id: 'token', role: 'read', namespaces: ['notes'], via: 'token' });
    const j = await authenticate(config, `Bearer ${await jwt()}`);
    expect(j).toMatchObject({ id: 'svc', role: 'admin', via: 'jwt' });
  });

  it('answers 401 for no token, a wrong token, and a JWT when no secret is configured', async () => {
    await expect(authenticate(config, undefined)).rejects.toMatchObject({ code: 'unauthenticated' });
    await expect(authenticate(config, 'Bearer nope')).rejects.toThrow(/invalid bearer token/);
    const noSecret = configSchema.parse({ auth: { enabled: true, token: 't' } });
    await expect(authenticate(noSecret, `Bearer ${await jwt()}`)).rejects.toThrow(/invalid bearer token/);
  });
});
