import { fileURLToPath } from 'node:url';
import { loadPackageDefinition, type ServiceDefinition } from '@grpc/grpc-js';
import { loadSync, type Options } from '@grpc/proto-loader';

/** The one contract, shipped beside the code (same path from src/ and from dist/). */
export const helixProtoPath = fileURLToPath(new URL('../../../proto/helix/v1/helix.proto', import.meta.url));

/**
 * REST field names as written (keepCase), 64-bit integers as numbers, and no defaults filled in:
 * a field the client did not send stays absent, so optional fields keep their meaning.
 */
export const protoLoaderOptions: Options = {
  keepCase: true,
  longs: Number,
  enums: String,
  defaults: false,
  oneofs: false,
};

/** The `helix.v1.Helix` service definition, loaded once. */
let cached: ServiceDefinition | undefined;
export function helixService(): ServiceDefinition {
  if (!cached) {
    const pkg = loadPackageDefinition(loadSync(helixProtoPath, protoLoaderOptions)) as unknown as {
      helix: { v1: { Helix: { service: ServiceDefinition } } };
    };
    cached = pkg.helix.v1.Helix.service;
  }
  return cached;
}
