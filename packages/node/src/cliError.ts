/** A usage error of the `ailo` CLI: printed without a stack trace, exit code 2. */
export class CliError extends Error {
  override name = 'CliError';
  readonly code = 'usage';
  readonly shortMessage: string;
  constructor(message: string) {
    super(message);
    this.shortMessage = message;
  }
}
