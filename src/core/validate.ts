import type { z } from 'zod';
import { HelixError } from './errors.js';

/** Validates input outside HTTP (CLI, import, MCP) with the same schemas and the same error shape. */
export function validate<S extends z.ZodType>(schema: S, input: unknown, what = 'input'): z.output<S> {
  const r = schema.safeParse(input);
  if (r.success) return r.data;
  const issues = r.error.issues.map((i) => ({ field: i.path.join('.') || what, message: i.message }));
  const first = issues[0]!;
  throw new HelixError('validation_error', `${first.field}: ${first.message}`, { issues });
}
