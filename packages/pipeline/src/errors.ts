/** Error codes raised by @ailo/pipeline. Callers branch on `code`, never on message text. */
export type PipelineErrorCode =
  | 'unsupported_architecture'
  | 'bad_config'
  | 'bad_weights'
  | 'token_out_of_range'
  | 'empty_input'
  | 'context_overflow'
  | 'layers_not_held'
  | 'unknown_session'
  | 'backend_unavailable'
  | 'bad_input'
  | 'non_finite'
  | 'cancelled'
  | 'no_fit';

export interface PipelineErrorOptions {
  details?: string;
  cause?: unknown;
}

/** Base error of @ailo/pipeline (viem-style: `shortMessage` for users, `details` for logs). */
export class PipelineError extends Error {
  override name = 'PipelineError';
  readonly code: PipelineErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: PipelineErrorCode, shortMessage: string, opts: PipelineErrorOptions = {}) {
    super(opts.details ? `${shortMessage}\n\nDetails: ${opts.details}` : shortMessage, { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = opts.details;
  }
}
