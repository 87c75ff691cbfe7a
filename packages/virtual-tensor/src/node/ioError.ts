import { VirtualTensorError } from '../errors';

/** Wraps a Node fs error (ENOSPC, EACCES, …) as `IO_ERROR`; passes VirtualTensorErrors through. */
export function ioError(err: unknown, what: string): VirtualTensorError {
  if (err instanceof VirtualTensorError) return err;
  const code = (err as { code?: unknown })?.code;
  return new VirtualTensorError(
    'IO_ERROR',
    `${what} failed${typeof code === 'string' ? ` (${code})` : ''}.`,
    {
      cause: err,
      meta: { code: typeof code === 'string' ? code : undefined },
    },
  );
}
