/**
 * Closed set of error codes raised by `@ailo/virtual-tensor`. Callers branch on
 * `err.code` (or `err.name === 'VirtualTensorError'`), never on message text.
 */
export type VirtualTensorErrorCode =
  /** safetensors: file shorter than its 8-byte prefix or than the header length it declares */
  | 'SAFETENSORS_TRUNCATED'
  /** safetensors: declared header length above the configured maximum (default 100 MB) */
  | 'SAFETENSORS_HEADER_TOO_LARGE'
  /** safetensors: header is not UTF-8 JSON of the expected shape */
  | 'SAFETENSORS_HEADER_INVALID'
  /** safetensors: a tensor's data_offsets are out of range or overlap another tensor */
  | 'SAFETENSORS_OFFSETS'
  /** a dtype string that this package does not support */
  | 'UNKNOWN_DTYPE'
  /** shape × item size ≠ byte length, or an invalid shape */
  | 'SHAPE_MISMATCH'
  /** a manifest failed its JSON Schema or a cross-reference check */
  | 'MANIFEST_INVALID'
  /** a model config is missing fields or inconsistent */
  | 'CONFIG_INVALID'
  /** planner options are contradictory or cannot be met */
  | 'PLAN_INVALID'
  /** a chunk's bytes did not hash to the manifest's sha256 (or had the wrong length), even after one re-fetch */
  | 'CHUNK_INTEGRITY'
  /** a chunk is absent from a store */
  | 'CHUNK_NOT_FOUND'
  /** a tensor name is absent from a manifest */
  | 'TENSOR_NOT_FOUND'
  /** an HTTP request failed (status, network error or truncated body) after its retries */
  | 'HTTP_ERROR'
  /** a load needs more bytes than the configured byte budget */
  | 'BUDGET_EXCEEDED'
  /** a filesystem operation failed (ENOSPC, EACCES, …) */
  | 'IO_ERROR'
  /** another pack holds the lock on the output directory */
  | 'PACK_LOCKED'
  /** the input given to the packer is not a safetensors file, HF directory or index */
  | 'PACK_INPUT_INVALID'
  /** an operation was aborted by its AbortSignal */
  | 'ABORTED'
  /** hub: 401/403, the repository is private or gated, or the token is missing, invalid or lacks access */
  | 'HUB_UNAUTHORIZED'
  /** hub: 404, the repository, revision or file does not exist */
  | 'HUB_NOT_FOUND'
  /** hub: still 429 after the retries, or a `Retry-After` longer than the retries allow */
  | 'HUB_RATE_LIMITED'
  /** hub: an invalid repository id, revision or endpoint, or a hub answer that cannot be used */
  | 'HUB_INVALID'
  /** a download stopped before its last byte after the retries; the `.part` file is kept for resuming */
  | 'DOWNLOAD_INCOMPLETE'
  /** a downloaded file's size or sha256 differs from what the hub announced; the file was deleted */
  | 'DOWNLOAD_INTEGRITY';

/** Options accepted by {@link VirtualTensorError}. */
export interface VirtualTensorErrorOptions {
  /** extra human-readable detail (not for branching) */
  details?: string;
  /** the underlying error */
  cause?: unknown;
  /** structured context, e.g. `{ chunk: 3, expected: '…', actual: '…' }` */
  meta?: Record<string, unknown>;
}

/**
 * The one error class of `@ailo/virtual-tensor` (viem-style shape): a stable
 * `code`, a short user-facing `shortMessage`, optional `details` and `cause`.
 */
export class VirtualTensorError extends Error {
  override name = 'VirtualTensorError' as const;
  readonly code: VirtualTensorErrorCode;
  readonly shortMessage: string;
  readonly details: string | undefined;
  readonly meta: Record<string, unknown> | undefined;

  constructor(code: VirtualTensorErrorCode, shortMessage: string, opts: VirtualTensorErrorOptions = {}) {
    const causeMsg = opts.cause instanceof Error ? opts.cause.message : undefined;
    const details = opts.details ?? causeMsg;
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: opts.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
    this.meta = opts.meta;
  }
}

/** True when `err` is a {@link VirtualTensorError}, optionally with the given code. */
export function isVirtualTensorError(err: unknown, code?: VirtualTensorErrorCode): err is VirtualTensorError {
  return err instanceof VirtualTensorError && (code === undefined || err.code === code);
}
