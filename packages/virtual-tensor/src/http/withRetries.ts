import {
  HTTP_BACKOFF_BASE_MS,
  HTTP_BACKOFF_MAX_MS,
  HTTP_DEFAULT_RETRIES,
  HTTP_RETRY_AFTER_MAX_MS,
} from '../constants';
import { throwIfAborted } from '../stores/ChunkStore';

/** Retry policy shared by every HTTP transfer of this package (spec §6). */
export interface RetryOptions {
  /** attempts in all, including the first (default 4) */
  retries?: number;
  /** first backoff delay, doubled per attempt with ±50% jitter (default 200). ms */
  backoffMs?: number;
  /** largest backoff delay (default 5000). ms */
  maxBackoffMs?: number;
  /** longest `Retry-After` honoured; a longer one stops retrying (default 60000). ms */
  maxRetryAfterMs?: number;
  /** sleep implementation (tests shorten or record delays) */
  sleep?: (ms: number) => Promise<void>;
  signal?: AbortSignal;
}

/** An attempt that failed in a way worth repeating (network error, 408/429/5xx, cut body). */
export class RetryableFailure extends Error {
  override name = 'RetryableFailure';
  /** attempts made when this failure ended the retries */
  attempts = 0;
  /** the server asked for a wait longer than `maxRetryAfterMs` */
  retryAfterTooLong = false;

  constructor(
    message: string,
    /** HTTP status, when a response came back */
    readonly status?: number,
    /** the server's `Retry-After`. ms */
    readonly retryAfterMs?: number,
    cause?: unknown,
  ) {
    super(message, cause === undefined ? undefined : { cause });
  }
}

/**
 * Parses a `Retry-After` header: delay-seconds or an HTTP-date (RFC 9110
 * §10.2.3). Returns milliseconds from `now`, or undefined when absent or invalid.
 */
export function parseRetryAfter(value: string | null, now: number = Date.now()): number | undefined {
  if (value === null) return undefined;
  const v = value.trim();
  if (/^\d+$/.test(v)) return Number(v) * 1000;
  const t = Date.parse(v);
  return Number.isNaN(t) ? undefined : Math.max(0, t - now);
}

/** Delay before attempt `attempt` (1-based retry number): exponential with jitter, at least `Retry-After`. ms */
export function backoffDelay(attempt: number, opts: RetryOptions, retryAfterMs?: number): number {
  const base = Math.min(
    opts.maxBackoffMs ?? HTTP_BACKOFF_MAX_MS,
    (opts.backoffMs ?? HTTP_BACKOFF_BASE_MS) * 2 ** (attempt - 1),
  );
  return Math.max(base * (0.5 + Math.random()), retryAfterMs ?? 0);
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/**
 * Runs `attempt` until it returns, retrying each {@link RetryableFailure} after
 * {@link backoffDelay} (honouring `Retry-After` up to `maxRetryAfterMs`). Any
 * other error ends at once. After the last attempt the last failure is thrown
 * with `attempts` set.
 * @throws RetryableFailure when the attempts run out; VirtualTensorError `ABORTED`
 */
export async function withRetries<T>(opts: RetryOptions, attempt: (n: number) => Promise<T>): Promise<T> {
  const attempts = Math.max(1, opts.retries ?? HTTP_DEFAULT_RETRIES);
  const sleep = opts.sleep ?? defaultSleep;
  const maxRetryAfter = opts.maxRetryAfterMs ?? HTTP_RETRY_AFTER_MAX_MS;
  let last: RetryableFailure | undefined;
  for (let n = 0; n < attempts; n++) {
    throwIfAborted(opts.signal);
    if (n > 0) {
      await sleep(backoffDelay(n, opts, last?.retryAfterMs));
      throwIfAborted(opts.signal);
    }
    try {
      return await attempt(n);
    } catch (err) {
      if (!(err instanceof RetryableFailure)) throw err;
      throwIfAborted(opts.signal);
      last = err;
      if (err.retryAfterMs !== undefined && err.retryAfterMs > maxRetryAfter) {
        err.retryAfterTooLong = true;
        err.attempts = n + 1;
        throw err;
      }
    }
  }
  last!.attempts = attempts;
  throw last!;
}
