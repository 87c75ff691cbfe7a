/**
 * The logging surface the node's isomorphic parts use: a subset of pino's
 * API, so a pino logger plugs in as is and a browser can pass `console`-backed
 * functions. First argument: structured fields; second: the message.
 */
export interface Log {
  debug(fields: object, msg?: string): void;
  info(fields: object, msg?: string): void;
  warn(fields: object, msg?: string): void;
  error(fields: object, msg?: string): void;
}

/** A log that drops everything. */
export const SILENT_LOG: Log = { debug() {}, info() {}, warn() {}, error() {} };
