import pino from 'pino';
import type { Log } from './log';

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** debug-level detail (default: warnings and errors only) */
  verbose?: boolean;
  /** `role` field on every line */
  role?: string;
  /** file descriptor written to (default 2, stderr, so stdout stays for results) */
  fd?: number;
}

/** A structured JSON-lines logger (pino): quiet by default, `verbose` for detail. */
export function createLogger(opts: LoggerOptions = {}): Log & pino.Logger {
  return pino(
    { level: opts.verbose ? 'debug' : 'warn', base: opts.role ? { role: opts.role } : {} },
    pino.destination({ fd: opts.fd ?? 2, sync: true }),
  );
}
