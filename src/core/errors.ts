/**
 * One error type with a stable code from one catalogue. Each code maps to an HTTP status, a gRPC
 * status and a JSON-RPC code, so every surface reports the same failure the same way.
 */
export const errorCatalogue = {
  validation_error: { http: 400, grpc: 3, jsonrpc: -32602, retryable: false },
  invalid_query: { http: 400, grpc: 3, jsonrpc: -32602, retryable: false },
  unauthenticated: { http: 401, grpc: 16, jsonrpc: -32001, retryable: false },
  forbidden: { http: 403, grpc: 7, jsonrpc: -32003, retryable: false },
  /** a namespace holds as many nodes as `knowledge.namespace_node_quota` allows */
  quota_exceeded: { http: 403, grpc: 8, jsonrpc: -32003, retryable: false },
  not_found: { http: 404, grpc: 5, jsonrpc: -32004, retryable: false },
  conflict: { http: 409, grpc: 10, jsonrpc: -32009, retryable: false },
  version_conflict: { http: 409, grpc: 10, jsonrpc: -32009, retryable: false },
  payload_too_large: { http: 413, grpc: 8, jsonrpc: -32602, retryable: false },
  unsupported_media_type: { http: 415, grpc: 3, jsonrpc: -32602, retryable: false },
  budget_exceeded: { http: 402, grpc: 8, jsonrpc: -32402, retryable: false },
  rate_limited: { http: 429, grpc: 8, jsonrpc: -32029, retryable: true },
  internal_error: { http: 500, grpc: 13, jsonrpc: -32603, retryable: false },
  unavailable: { http: 503, grpc: 14, jsonrpc: -32000, retryable: true },
  /** the keychain is sealed: unseal it (passphrase or Shamir shares) and retry */
  vault_sealed: { http: 503, grpc: 14, jsonrpc: -32005, retryable: false },
  /** ciphertext that does not authenticate: tampered, truncated or the wrong key */
  decryption_failed: { http: 400, grpc: 3, jsonrpc: -32602, retryable: false },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;

export class HelixError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, details?: Record<string, unknown>) {
    super(message);
    this.name = 'HelixError';
    this.code = code;
    this.details = details;
  }

  get status(): number {
    return errorCatalogue[this.code].http;
  }

  get retryable(): boolean {
    return errorCatalogue[this.code].retryable;
  }
}

export const notFound = (what: string, id: string) =>
  new HelixError('not_found', `${what} ${id} not found`, { id });

export const invalid = (field: string, message: string, details?: Record<string, unknown>) =>
  new HelixError('validation_error', `${field}: ${message}`, { field, ...details });

export const isHelixError = (err: unknown): err is HelixError => err instanceof HelixError;
