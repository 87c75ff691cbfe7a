/**
 * Closed set of error codes raised by `@ailo/fedavg`. Callers branch on
 * `err.code` (or `err.name === 'FedAvgError'`), never on message text.
 */
export type FedAvgErrorCode =
  /** a tensor name is missing from, or not expected by, the model schema */
  | 'NAME_MISMATCH'
  /** a tensor's shape or element count differs from the model schema */
  | 'SHAPE_MISMATCH'
  /** a tensor is not float32 (in memory) or not a float dtype (in a file) */
  | 'DTYPE_MISMATCH'
  /** a tensor holds NaN or ±Infinity */
  | 'NON_FINITE'
  /** n_k is not a positive safe integer */
  | 'INVALID_NUM_SAMPLES'
  /** an update names another round than the one it is submitted to */
  | 'WRONG_ROUND'
  /** an update was computed from another base model (hash mismatch) */
  | 'WRONG_BASE'
  /** an update arrived after the round's deadline */
  | 'LATE_SUBMISSION'
  /** a client submitted a second, different update in one round */
  | 'DUPLICATE_SUBMISSION'
  /** the round is aggregating or closed (e.g. it reached maxClients) */
  | 'ROUND_CLOSED'
  /** the validator hook refused the update; `meta.reason` says why */
  | 'REJECTED_BY_VALIDATOR'
  /** the validator hook threw; the update is not counted */
  | 'VALIDATOR_FAILED'
  /** more updates than a buffered rule's maxClients */
  | 'TOO_MANY_CLIENTS'
  /** a buffered rule would need more memory than allowed (maxClients × model bytes) */
  | 'MEMORY_LIMIT'
  /** an aggregate was requested before any update was added */
  | 'EMPTY_AGGREGATE'
  /** a rule cannot run with this many updates (Krum needs n > 2f + 2) */
  | 'NOT_ENOUGH_CLIENTS'
  /** an option is out of range or contradicts another */
  | 'INVALID_OPTION'
  /** a model schema has an invalid name or shape */
  | 'INVALID_SCHEMA'
  /** a file is not a valid update/model safetensors file (see `cause`) */
  | 'INVALID_UPDATE_FILE';

/** Options accepted by {@link FedAvgError}. */
export interface FedAvgErrorOptions {
  /** extra human-readable detail (not for branching) */
  details?: string;
  /** the underlying error */
  cause?: unknown;
  /** structured context, e.g. `{ tensor: 'w', expected: [2, 3], actual: [3, 2] }` */
  meta?: Record<string, unknown>;
}

/**
 * The one error class of `@ailo/fedavg` (viem-style shape): a stable `code`,
 * a short user-facing `shortMessage`, optional `details`, `meta` and `cause`.
 */
export class FedAvgError extends Error {
  override name = 'FedAvgError' as const;
  readonly code: FedAvgErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Record<string, unknown> | undefined;

  constructor(code: FedAvgErrorCode, shortMessage: string, opts: FedAvgErrorOptions = {}) {
    const causeMsg = opts.cause instanceof Error ? opts.cause.message : undefined;
    const details = opts.details ?? causeMsg;
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
    this.meta = opts.meta;
  }
}

/** True when `err` is a {@link FedAvgError}, optionally with the given code. */
export function isFedAvgError(err: unknown, code?: FedAvgErrorCode): err is FedAvgError {
  return err instanceof FedAvgError && (code === undefined || err.code === code);
}
