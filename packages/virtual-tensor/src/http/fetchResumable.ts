import { HTTP_RETRYABLE_STATUS } from '../constants';
import { VirtualTensorError } from '../errors';
import { throwIfAborted } from '../stores/ChunkStore';
import type { ByteSink } from './ByteSink';
import { parseRetryAfter, RetryableFailure, type RetryOptions, withRetries } from './withRetries';

/** Options of {@link fetchResumable}. */
export interface FetchResumableOptions extends RetryOptions {
  /** fetch implementation (default `globalThis.fetch`) */
  fetch?: typeof fetch;
  /** request headers (e.g. authorization); `range` is set by the function */
  headers?: Record<string, string>;
  /** the body's length when known beforehand: detects truncation and longer bodies. bytes */
  total?: number;
  /** called as bytes arrive: bytes held by the sink, and the total when known */
  onProgress?: (bytes: number, total: number | undefined) => void;
}

/** Outcome of {@link fetchResumable}: a complete body, or a status that retrying cannot change. */
export type FetchResumableResult =
  | { ok: true; bytes: number; total: number | undefined }
  | { ok: false; status: number; headers: Headers };

/** Wraps an error thrown by the sink so that it is never retried. */
class SinkFailure extends Error {
  constructor(readonly inner: unknown) {
    super('sink failed');
  }
}

async function sinkCall(fn: () => void | Promise<void>): Promise<void> {
  try {
    await fn();
  } catch (err) {
    throw new SinkFailure(err);
  }
}

const CONTENT_RANGE_RE = /^bytes (\d+)-(\d+)\/(\d+|\*)$/;

/**
 * GETs `url` into `sink`, resuming after the bytes the sink already holds
 * (spec §6): a cut body is continued with `Range: bytes=<held>-` and a `206`
 * whose `Content-Range` starts there; a `200` restarts from zero (the sink is
 * reset). Network errors, cut bodies and 408/425/429/5xx are retried with
 * {@link withRetries} (exponential backoff, `Retry-After` honoured). Other
 * non-2xx statuses are returned, not thrown, so callers can map them (404 →
 * absent, 401 → credentials). Errors thrown by the sink (ENOSPC) end the
 * transfer at once.
 * @throws VirtualTensorError `HTTP_ERROR` when the retries run out (meta: `url`,
 *   `status`, `received`, `total`, `attempts`, `retryAfterMs`) or the body is
 *   longer than `total`; `ABORTED`; whatever the sink throws
 */
export async function fetchResumable(
  url: URL,
  sink: ByteSink,
  opts: FetchResumableOptions = {},
): Promise<FetchResumableResult> {
  const f = opts.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
  if (!f) throw new VirtualTensorError('HTTP_ERROR', 'No fetch implementation is available.');
  let total = opts.total;
  const signal = opts.signal;

  const attempt = async (): Promise<FetchResumableResult> => {
    const from = sink.size;
    const headers: Record<string, string> = { ...opts.headers };
    if (from > 0) headers['range'] = `bytes=${from}-`;
    let res: Response;
    try {
      res = await f(url, { headers, ...(signal ? { signal } : {}) });
    } catch (err) {
      throwIfAborted(signal);
      throw new RetryableFailure(`GET ${url.href}: network error`, undefined, undefined, err);
    }
    let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
    try {
      if (res.status === 416 && total !== undefined && from === total) {
        await res.body?.cancel();
        return { ok: true, bytes: from, total };
      }
      if (HTTP_RETRYABLE_STATUS.has(res.status)) {
        await res.body?.cancel();
        throw new RetryableFailure(
          `HTTP ${res.status}`,
          res.status,
          parseRetryAfter(res.headers.get('retry-after')),
        );
      }
      if (!res.ok) {
        await res.body?.cancel();
        return { ok: false, status: res.status, headers: res.headers };
      }
      if (res.status === 206) {
        const m = CONTENT_RANGE_RE.exec(res.headers.get('content-range') ?? '');
        if (!m || Number(m[1]) !== from) {
          // the server answered another range: start over without one
          await sinkCall(() => sink.reset());
          throw new RetryableFailure('unexpected Content-Range', 206);
        }
        if (m[3] !== '*') total ??= Number(m[3]);
      } else {
        // 200: the whole body, whether or not a Range was asked for
        if (from > 0) await sinkCall(() => sink.reset());
        const len = res.headers.get('content-length');
        if (len !== null && !res.headers.get('content-encoding')) total ??= Number(len);
      }
      if (total !== undefined) sink.reserve?.(total);
      if (res.body) {
        reader = res.body.getReader();
        for (;;) {
          const { done, value } = await reader.read();
          if (done) break;
          await append(value);
        }
      } else {
        await append(new Uint8Array(await res.arrayBuffer()));
      }
      if (total !== undefined && sink.size < total) throw new RetryableFailure('truncated body', res.status);
      return { ok: true, bytes: sink.size, total };
    } catch (err) {
      (reader ? reader.cancel() : res.body?.cancel())?.catch(() => {});
      if (
        err instanceof RetryableFailure ||
        err instanceof VirtualTensorError ||
        err instanceof SinkFailure
      ) {
        throw err;
      }
      throwIfAborted(signal);
      throw new RetryableFailure(`GET ${url.href}: body read failed`, res.status, undefined, err);
    }
  };

  const append = async (part: Uint8Array): Promise<void> => {
    if (total !== undefined && sink.size + part.length > total) {
      throw new VirtualTensorError('HTTP_ERROR', `Response from ${url.href} is longer than expected.`, {
        meta: { url: url.href, expected: total, received: sink.size + part.length },
      });
    }
    await sinkCall(() => sink.write(part));
    opts.onProgress?.(sink.size, total);
  };

  try {
    return await withRetries(opts, attempt);
  } catch (err) {
    if (err instanceof SinkFailure) throw err.inner;
    if (!(err instanceof RetryableFailure)) throw err;
    if (total !== undefined && sink.size === total) return { ok: true, bytes: sink.size, total };
    const truncated = total !== undefined && sink.size > 0 && sink.size < total;
    const tries = `${err.attempts} attempt${err.attempts === 1 ? '' : 's'}`;
    throw new VirtualTensorError(
      'HTTP_ERROR',
      truncated
        ? `GET ${url.href} returned a truncated body after ${tries}.`
        : `GET ${url.href} failed after ${tries}.`,
      {
        cause: err.cause ?? err,
        meta: {
          url: url.href,
          status: err.status,
          received: sink.size,
          total,
          attempts: err.attempts,
          retryAfterMs: err.retryAfterMs,
        },
      },
    );
  }
}
