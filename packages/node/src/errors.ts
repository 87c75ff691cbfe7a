/** Error codes raised by @ailo/node. Callers branch on `code`, never on message text. */
export type NodeErrorCode =
  /** the model id is not served here */
  | 'unknown_model'
  /** no chain of connected workers covers every layer of the model */
  | 'layers_unavailable'
  /** too many sessions; retry later */
  | 'overloaded'
  /** this client or identity exceeded a rate or connection limit; retry later */
  | 'rate_limited'
  /** a request is malformed or out of range */
  | 'bad_request'
  /** a request exceeds a size limit */
  | 'too_large'
  /** the session is unknown here (closed, evicted, or never opened) */
  | 'unknown_session'
  /** a worker failed a step and no other holder could take over */
  | 'worker_failed'
  /** a model's files are missing, malformed or fail verification */
  | 'bad_model'
  /** the peer speaks another protocol version */
  | 'version_mismatch'
  /** the coordinator or worker is not usable in its current state */
  | 'unavailable'
  /** persistent state under the data directory is unreadable or inconsistent */
  | 'bad_state'
  /** an unexpected failure */
  | 'internal';

/** Codes a caller may retry later (the same request can succeed). */
const RETRYABLE: ReadonlySet<NodeErrorCode> = new Set([
  'overloaded',
  'rate_limited',
  'layers_unavailable',
  'worker_failed',
  'unavailable',
]);

export interface NodeErrorOptions {
  /** detail for logs (which span, which worker); not for branching */
  details?: string;
  cause?: unknown;
  /** overrides the code's default */
  retryable?: boolean;
}

/**
 * The one error class of @ailo/node (viem-style): `shortMessage` for users,
 * `details` for logs, `cause` for the underlying error.
 */
export class NodeError extends Error {
  override name = 'NodeError' as const;
  readonly code: NodeErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly retryable: boolean;

  constructor(code: NodeErrorCode, shortMessage: string, opts: NodeErrorOptions = {}) {
    super(
      opts.details ? `${shortMessage}\n\nDetails: ${opts.details}` : shortMessage,
      opts.cause === undefined ? undefined : { cause: opts.cause },
    );
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = opts.details;
    this.retryable = opts.retryable ?? RETRYABLE.has(code);
  }
}

/** Whether `e` is a {@link NodeError} (optionally with `code`). */
export function isNodeError(e: unknown, code?: NodeErrorCode): e is NodeError {
  return e instanceof NodeError && (code === undefined || e.code === code);
}
