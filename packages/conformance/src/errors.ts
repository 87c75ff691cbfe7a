/** Codes of {@link ConformanceError}. */
export type ConformanceErrorCode =
  /** the target broke a MUST of the spec: the case fails */
  | 'violation'
  /** the target does not expose the feature a case needs (e.g. no ledger): the case is skipped */
  | 'not_exposed'
  /** a wait on the target passed its deadline */
  | 'timeout'
  /** the suite was called with unusable options */
  | 'bad_options';

/** Options of {@link ConformanceError}. */
export interface ConformanceErrorOptions {
  details?: string;
  cause?: unknown;
}

/**
 * The one error class of `@ailo/conformance`. Callers branch on `code`, never on the message.
 */
export class ConformanceError extends Error {
  override readonly name = 'ConformanceError';
  readonly code: ConformanceErrorCode;
  /** one line for people */
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: ConformanceErrorCode, shortMessage: string, options: ConformanceErrorOptions = {}) {
    super(options.details ? `${shortMessage}\n\nDetails: ${options.details}` : shortMessage, {
      cause: options.cause,
    });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = options.details;
  }
}

/** A MUST of the spec was broken. */
export function violation(message: string, details?: string): ConformanceError {
  return new ConformanceError('violation', message, details === undefined ? {} : { details });
}

/** Throws a violation unless `condition` holds. */
export function expectThat(condition: boolean, message: string, details?: string): asserts condition {
  if (!condition) throw violation(message, details);
}
