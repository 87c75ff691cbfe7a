/** Codes of {@link WebUiError}. */
export type WebUiErrorCode = 'coordinator_unreachable' | 'no_tokenizer' | 'bad_response' | 'bad_input';

/** Options of a {@link WebUiError}. */
export interface WebUiErrorOptions {
  details?: string;
  cause?: unknown;
}

/** The one error class of the web UI: branch on `code`, show `shortMessage` to people. */
export class WebUiError extends Error {
  override readonly name = 'WebUiError';
  readonly code: WebUiErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;

  constructor(code: WebUiErrorCode, shortMessage: string, opts: WebUiErrorOptions = {}) {
    super(opts.details ? `${shortMessage}\n\nDetails: ${opts.details}` : shortMessage, {
      cause: opts.cause,
    });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = opts.details;
  }
}

/** The message to show for any thrown value. */
export function messageOf(e: unknown): string {
  const err = e as { shortMessage?: string; message?: string } | undefined;
  return err?.shortMessage ?? err?.message ?? String(e);
}
