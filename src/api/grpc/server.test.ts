import { afterEach, describe, expect, it } from 'vitest';
import { makeTestApp, type TestApp } from '../../testing/make-context.js';
import { type GrpcServer, startGrpcServer } from './server.js';

describe('startGrpcServer', () => {
  const apps: TestApp[] = [];
  const servers: GrpcServer[] = [];
  afterEach(async () => {
    for (const s of servers.splice(0)) await s.close(1000);
    for (const a of apps.splice(0)) a.dispose();
  });

  it('refuses, with a clear message, a port another server holds', async () => {
    const app = makeTestApp();
    apps.push(app);
    const authenticate = async () => ({
      id: 'local',
      role: 'admin' as const,
      namespaces: ['*'],
      via: 'local' as const,
    });
    const first = await startGrpcServer(app, { authenticate, limiter: null, host: '127.0.0.1', port: 0 });
    servers.push(first);
    expect(first.port).toBeGreaterThan(0);
    await expect(
      startGrpcServer(app, { authenticate, limiter: null, host: '127.0.0.1', port: first.port }),
    ).rejects.toThrow(/gRPC cannot listen on 127\.0\.0\.1:\d+/);
  });
});
