import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { type ErrorCode, errorCatalogue, HelixError } from '../core/errors.js';
import { redact, redactValue } from '../security/redact.js';

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details: Record<string, unknown> | null; request_id: string };
}

/** Fastify's own errors for malformed requests, mapped onto the catalogue. */
const FASTIFY_CODES: Record<string, { code: ErrorCode; message?: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { code: 'validation_error', message: 'body: malformed JSON' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { code: 'validation_error', message: 'body: empty JSON body' },
  FST_ERR_CTP_BODY_TOO_LARGE: { code: 'payload_too_large', message: 'body: request body too large' },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'unsupported_media_type',
    message: 'content-type: unsupported media type, send application/json',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'validation_error',
    message: 'content-length does not match the body',
  },
  FST_ERR_CTP_INVALID_TYPE: { code: 'unsupported_media_type' },
};

/** Turns anything thrown into the one error shape; the unknown becomes internal_error with no stack. */
export function toHelixError(err: unknown, where?: string): HelixError {
  if (err instanceof HelixError) return err;
  const fe = err as FastifyError & { validationContext?: string };
  if (hasZodFastifySchemaValidationErrors(fe)) {
    const ctx = fe.validationContext ?? where ?? 'body';
    const issues = fe.validation.map((v) => ({
      field: [ctx, ...v.instancePath.split('/').filter(Boolean)].join('.'),
      message: v.message ?? 'invalid',
    }));
    const first = issues[0]!;
    return new HelixError('validation_error', `${first.field}: ${first.message}`, { issues });
  }
  if (fe?.code && FASTIFY_CODES[fe.code]) {
    const m = FASTIFY_CODES[fe.code]!;
    return new HelixError(m.code, m.message ?? fe.message);
  }
  if (fe instanceof SyntaxError || fe?.statusCode === 400)
    return new HelixError('validation_error', fe.message);
  if (fe?.statusCode === 413) return new HelixError('payload_too_large', 'body: request body too large');
  if (fe?.statusCode === 415) return new HelixError('unsupported_media_type', fe.message);
  return new HelixError('internal_error', 'internal error');
}

/** The one error body. Message and details pass the sanitizer: some echo input (a URL, a header). */
export function errorBody(err: HelixError, requestId: string): ErrorBody {
  return {
    error: {
      code: err.code,
      message: redact(err.message),
      details: err.details ? redactValue(err.details) : null,
      request_id: requestId,
    },
  };
}

export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: unknown, req: FastifyRequest, reply: FastifyReply) => {
    const helix = toHelixError(err);
    if (helix.code === 'internal_error') req.log.error({ err }, 'unhandled error');
    const status = errorCatalogue[helix.code].http;
    if (helix.code === 'rate_limited' && typeof helix.details?.retry_after_secs === 'number') {
      void reply.header('retry-after', String(helix.details.retry_after_secs));
    }
    return reply.status(status).send(errorBody(helix, req.id));
  });
  app.setNotFoundHandler((req, reply) =>
    reply
      .status(404)
      .send(
        errorBody(new HelixError('not_found', `no route ${req.method} ${req.url.split('?')[0]}`), req.id),
      ),
  );
}
