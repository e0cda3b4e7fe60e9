import { mkdirSync, openSync } from 'node:fs';
import { join } from 'node:path';
import pino, { type Logger } from 'pino';

export type { Logger };

/** Paths whose values never reach a log line, whatever else the redactor catches. */
const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'headers.authorization',
  '*.password',
  '*.token',
  '*.secret',
  '*.api_key',
  '*.jwt_secret',
];

export interface LoggerOptions {
  level: string;
  /** write JSON lines to `<logDir>/helix.log` */
  logDir?: string;
  /** also print warnings and errors on stderr */
  console?: boolean;
  /**
   * Runs on every serialized line before it is written (the composition root passes the output
   * sanitizer, src/security/redact.ts): it sees messages, error texts and stacks, which `redact`
   * paths cannot reach.
   */
  sanitize?: (line: string) => string;
}

export function createLogger(options: LoggerOptions): Logger {
  const streams: pino.StreamEntry[] = [];
  if (options.logDir) {
    mkdirSync(options.logDir, { recursive: true });
    // Opened here, synchronously: given a path, the stream opens it later on its own, and a home
    // removed in between (a test's temporary one) surfaced as an unhandled ENOENT.
    const fd = openSync(join(options.logDir, 'helix.log'), 'a');
    streams.push({ level: options.level as pino.Level, stream: pino.destination({ dest: fd, sync: false }) });
  }
  if (options.console) streams.push({ level: 'warn', stream: pino.destination(2) });
  if (streams.length === 0 || options.level === 'silent') return pino({ level: 'silent' });
  return pino(
    {
      level: options.level,
      redact: { paths: REDACT, censor: '[redacted]' },
      base: { pid: process.pid },
      ...(options.sanitize ? { hooks: { streamWrite: options.sanitize } } : {}),
    },
    pino.multistream(streams),
  );
}

export const silentLogger = (): Logger => pino({ level: 'silent' });
