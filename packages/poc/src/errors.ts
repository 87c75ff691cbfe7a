/**
 * Closed set of error codes thrown by `@ailo/poc` for bad input or misuse. A rejected
 * contribution is not an error: checks return a {@link CheckResult} with a
 * {@link RejectionCode} instead.
 */
export type PocErrorCode =
  /** a configuration value is out of range or of the wrong type */
  | 'INVALID_CONFIG'
  /** an argument is malformed (e.g. a round number, a hash, a token sequence) */
  | 'INVALID_INPUT'
  /** a contribution proof (signer, nonce, signature) is malformed */
  | 'INVALID_PROOF'
  /** the validation set is empty or holds sequences the model cannot score */
  | 'INVALID_VALIDATION_SET'
  /** the loss evaluator failed (backend error, non-finite base loss) */
  | 'EVALUATION_FAILED'
  /** an operation needs an open round (call `beginRound` first) or names another round */
  | 'NO_ROUND';

/** Options accepted by {@link PocError}. */
export interface PocErrorOptions {
  /** extra human-readable detail (not for branching) */
  details?: string;
  /** the underlying error */
  cause?: unknown;
  /** structured context */
  meta?: Record<string, unknown>;
}

/**
 * The one error class of `@ailo/poc` (viem-style): a stable `code`, a short user-facing
 * `shortMessage`, optional `details`, `meta` and `cause`. Branch on `code`.
 */
export class PocError extends Error {
  override name = 'PocError' as const;
  readonly code: PocErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Record<string, unknown> | undefined;

  constructor(code: PocErrorCode, shortMessage: string, opts: PocErrorOptions = {}) {
    const causeMsg = opts.cause instanceof Error ? opts.cause.message : undefined;
    const details = opts.details ?? causeMsg;
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
    this.meta = opts.meta;
  }
}

/** True when `err` is a {@link PocError}, optionally with the given code. */
export function isPocError(err: unknown, code?: PocErrorCode): err is PocError {
  return err instanceof PocError && (code === undefined || err.code === code);
}
