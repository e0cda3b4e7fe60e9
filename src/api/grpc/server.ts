import { Server, ServerCredentials } from '@grpc/grpc-js';
import { auditRecorder } from '../../security/audit.js';
import type { Authenticator } from '../../security/authenticate.js';
import type { RateLimiter } from '../../security/rate-limit.js';
import type { App } from '../create-app.js';
import { helixHandlers } from './handlers.js';
import { helixService } from './proto.js';

export interface GrpcServer {
  port: number;
  /** stops accepting calls, lets calls in flight finish (up to `timeoutMs`), then cuts the rest */
  close(timeoutMs: number): Promise<void>;
}

/** Largest request accepted, as for REST bodies. */
const messageLimit = (app: App) => app.ctx.config.server.body_limit_bytes;

/**
 * The gRPC surface (`proto/helix/v1/helix.proto`) on `[server] bind_host`:`grpc_port`, plaintext
 * like the REST port (loopback by default; put TLS in front when exposing it).
 */
export async function startGrpcServer(
  app: App,
  options: { authenticate: Authenticator; limiter: RateLimiter | null; host: string; port: number },
): Promise<GrpcServer> {
  const { ctx } = app;
  const server = new Server({
    'grpc.max_receive_message_length': messageLimit(app),
    'grpc.max_concurrent_streams': 100,
  });
  server.addService(
    helixService(),
    helixHandlers({
      ctx,
      search: app.search,
      authenticate: options.authenticate,
      limiter: options.limiter,
      audit: auditRecorder(ctx),
    }),
  );
  const host = options.host.includes(':') ? `[${options.host}]` : options.host;
  const port = await new Promise<number>((resolve, reject) =>
    server.bindAsync(`${host}:${options.port}`, ServerCredentials.createInsecure(), (err, bound) =>
      err
        ? reject(new Error(`gRPC cannot listen on ${host}:${options.port}: ${err.message}`))
        : resolve(bound),
    ),
  );
  let closing: Promise<void> | undefined;
  return {
    port,
    close(timeoutMs) {
      closing ??= new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, timeoutMs);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
      return closing;
    },
  };
}
