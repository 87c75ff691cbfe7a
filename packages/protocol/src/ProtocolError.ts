import { type ErrorCode, isErrorCode, isRetryable } from './errorCodes';

/** Options of a {@link ProtocolError}. */
export interface ProtocolErrorOptions {
  /** Extra detail for logs (which limit, which field); not meant for branching. */
  details?: string;
  /** The underlying error, if any. */
  cause?: unknown;
  /** Overrides the code's default `retryable`. */
  retryable?: boolean;
}

/** The body of an `error` message (spec §8). */
export type ErrorBody = {
  code: ErrorCode;
  message: string;
  retryable: boolean;
};

/**
 * The one error class of `@ailo/protocol`. Branch on `code` (closed enum, spec §8), never on the
 * message text.
 *
 * @example
 * ```ts
 * try { decodeFrame(bytes) } catch (e) { if (e instanceof ProtocolError && e.code === 'too_large') … }
 * ```
 */
export class ProtocolError extends Error {
  override name = 'ProtocolError' as const;
  /** Error code from the closed set in spec §8. */
  readonly code: ErrorCode;
  /** Whether the same request may succeed later. */
  readonly retryable: boolean;
  /** One-line description for users. */
  readonly shortMessage: string;
  /** Extra detail for logs. */
  readonly details: string | undefined;

  constructor(code: ErrorCode, shortMessage: string, options: ProtocolErrorOptions = {}) {
    const lines = [shortMessage];
    if (options.details !== undefined) lines.push('', `Details: ${options.details}`);
    lines.push(`Code: ${code}`);
    super(lines.join('\n'), options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? isRetryable(code);
    this.shortMessage = shortMessage;
    this.details = options.details;
  }

  /** The `error` message body that reports this error to a peer. */
  toBody(): ErrorBody {
    return { code: this.code, message: this.shortMessage, retryable: this.retryable };
  }

  /** Rebuilds an error from a received `error` body; an unknown code becomes `internal` (spec §8). */
  static fromBody(body: Readonly<Record<string, unknown>>): ProtocolError {
    const code = isErrorCode(body.code) ? body.code : 'internal';
    const message = typeof body.message === 'string' ? body.message : 'remote error';
    const options: ProtocolErrorOptions = { details: 'reported by the remote peer' };
    if (typeof body.retryable === 'boolean') options.retryable = body.retryable;
    return new ProtocolError(code, message, options);
  }

  /** Wraps anything thrown into a ProtocolError (`internal` unless it already is one). */
  static from(error: unknown): ProtocolError {
    if (error instanceof ProtocolError) return error;
    const message = error instanceof Error ? error.message : String(error);
    return new ProtocolError('internal', 'internal error', { details: message, cause: error });
  }
}
