/**
 * The closed set of protocol error codes (spec §8 Errors). Receivers MUST treat an unknown code as
 * `internal`. `retryable` says whether the same request may succeed if sent again later; `close` is
 * the WebSocket close code used when the error ends the connection.
 */
export const ERROR_CODES = {
  /** The frame is not valid MessagePack or not a valid envelope. */
  bad_frame: { retryable: false, close: 4000 },
  /** A limit (frame bytes, tensor elements, collection length, depth, string bytes) was exceeded. */
  too_large: { retryable: false, close: 4001 },
  /** Unknown message type, or no handler for it. */
  unsupported: { retryable: false, close: 4002 },
  /** The sender is not allowed to do this (e.g. before the handshake, replayed nonce). */
  unauthorized: { retryable: false, close: 4003 },
  /** A signature did not verify. */
  bad_signature: { retryable: false, close: 4004 },
  /** The body does not match the message schema, or a field is out of range. */
  bad_request: { retryable: false, close: 4005 },
  /** The envelope version or the hello version is not supported. */
  version_mismatch: { retryable: false, close: 4006 },
  /** The referenced object (session, chunk, block, …) does not exist. */
  not_found: { retryable: false, close: 4007 },
  /** The request conflicts with current state (duplicate, stale nonce, wrong round). */
  conflict: { retryable: false, close: 4008 },
  /** A deadline passed (request, handshake or heartbeat). */
  timeout: { retryable: true, close: 4009 },
  /** The receiver is busy; try later or elsewhere. */
  overloaded: { retryable: true, close: 4010 },
  /** The receiver cannot serve this now (e.g. model not loaded yet). */
  unavailable: { retryable: true, close: 4011 },
  /** The connection closed before a reply arrived. */
  closed: { retryable: true, close: 4012 },
  /** An unexpected failure in the receiver. */
  internal: { retryable: true, close: 4013 },
  /** The sender exceeded a per-identity or per-address limit (request rate, connections); retry later. */
  rate_limited: { retryable: true, close: 4014 },
} as const satisfies Record<string, { retryable: boolean; close: number }>;

/** A protocol error code (spec §8). */
export type ErrorCode = keyof typeof ERROR_CODES;

/** All error codes, in spec order. */
export const ERROR_CODE_LIST = Object.keys(ERROR_CODES) as ErrorCode[];

/** Whether `value` is one of the defined error codes. */
export function isErrorCode(value: unknown): value is ErrorCode {
  return typeof value === 'string' && Object.hasOwn(ERROR_CODES, value);
}

/** Whether a request that failed with `code` may succeed if retried. */
export function isRetryable(code: ErrorCode): boolean {
  return ERROR_CODES[code].retryable;
}

/** The WebSocket close code (4000–4014) used when `code` ends a connection. */
export function closeCodeOf(code: ErrorCode): number {
  return ERROR_CODES[code].close;
}

/** The error code carried by a WebSocket close code, if it is one of ours. */
export function errorCodeOfClose(close: number): ErrorCode | undefined {
  for (const code of ERROR_CODE_LIST) if (ERROR_CODES[code].close === close) return code;
  return undefined;
}
