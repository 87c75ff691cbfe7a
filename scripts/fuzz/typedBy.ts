/**
 * `typedCode` for a package whose one error class is `ErrorClass`: the error must be an instance
 * whose `name` is `name`, with a string `shortMessage` and a `code` in `codes`.
 */
export function typedBy(
  ErrorClass: abstract new (...args: never[]) => Error,
  name: string,
  codes: readonly string[],
): (error: unknown) => string | undefined {
  const allowed = new Set(codes);
  return (error) => {
    if (!(error instanceof ErrorClass)) return undefined;
    const { code, shortMessage } = error as Error & { code?: unknown; shortMessage?: unknown };
    if (error.name !== name || typeof shortMessage !== 'string') return undefined;
    return typeof code === 'string' && allowed.has(code) ? code : undefined;
  };
}
