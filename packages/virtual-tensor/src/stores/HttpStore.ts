import {
  HTTP_BACKOFF_BASE_MS,
  HTTP_BACKOFF_MAX_MS,
  HTTP_DEFAULT_RETRIES,
  HTTP_RETRYABLE_STATUS,
} from '../constants';
import { VirtualTensorError } from '../errors';
import {
  assertChunkKey,
  type ChunkGetOptions,
  type ChunkProgress,
  type ChunkStore,
  throwIfAborted,
} from './ChunkStore';

/** Options of {@link HttpStore}. */
export interface HttpStoreOptions {
  /** URL of the packed model directory; chunk `k` is fetched from `new URL(k, baseUrl)` */
  baseUrl: string | URL;
  /** local store that fetched chunks are written to and served from (cache-through) */
  cache?: ChunkStore;
  /** attempts per chunk, including the first (default 4) */
  retries?: number;
  /** first backoff delay, doubled per attempt with ±50% jitter (default 200). ms */
  backoffMs?: number;
  /** largest backoff delay (default 5000). ms */
  maxBackoffMs?: number;
  /** extra request headers (e.g. authorization) */
  headers?: Record<string, string>;
  /** called as bytes arrive, for every chunk */
  onProgress?: (e: ChunkProgress) => void;
  /** fetch implementation (default `globalThis.fetch`) */
  fetch?: typeof fetch;
  /** sleep implementation (tests shorten backoff) */
  sleep?: (ms: number) => Promise<void>;
}

class RetryableHttp extends Error {}

/**
 * A read-through {@link ChunkStore} over HTTP(S). `get` serves from `cache`
 * when present; otherwise it fetches, resuming an interrupted body with a
 * `Range` request, retrying network errors and 408/429/5xx with exponential
 * backoff, reporting progress, and writing the complete bytes into `cache`.
 * 404/410 mean "absent" (undefined). `put`/`delete`/`keys` act on the cache.
 */
export class HttpStore implements ChunkStore {
  readonly #o: HttpStoreOptions;
  readonly #base: URL;
  readonly #fetch: typeof fetch;

  constructor(opts: HttpStoreOptions) {
    this.#o = opts;
    const base = new URL(String(opts.baseUrl));
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#base = base;
    const f = opts.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!f) throw new VirtualTensorError('HTTP_ERROR', 'No fetch implementation is available.');
    this.#fetch = f;
  }

  /** URL a key is fetched from. */
  url(key: string): URL {
    assertChunkKey(key);
    return new URL(key, this.#base);
  }

  async get(key: string, opts: ChunkGetOptions = {}): Promise<Uint8Array | undefined> {
    const cached = await this.#o.cache?.get(key, opts);
    if (cached) return cached;
    const bytes = await this.#download(key, opts);
    if (bytes && this.#o.cache) await this.#o.cache.put(key, bytes);
    return bytes;
  }

  async #download(key: string, opts: ChunkGetOptions): Promise<Uint8Array | undefined> {
    const url = this.url(key);
    const attempts = Math.max(1, this.#o.retries ?? HTTP_DEFAULT_RETRIES);
    const sleep = this.#o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    let total = opts.bytes;
    let buf: Uint8Array = new Uint8Array(total ?? 0);
    let received = 0;
    let lastError: unknown;
    let lastStatus: number | undefined;
    const report = (): void => {
      const e = { key, bytes: received, total };
      opts.onProgress?.(e);
      this.#o.onProgress?.(e);
    };
    const append = (part: Uint8Array): void => {
      if (total !== undefined && received + part.length > total) {
        throw new VirtualTensorError('HTTP_ERROR', `Response for ${key} is longer than expected.`, {
          meta: { url: url.href, expected: total, received: received + part.length },
        });
      }
      if (received + part.length > buf.length) {
        const grown = new Uint8Array(Math.max(received + part.length, buf.length * 2, 1 << 16));
        grown.set(buf.subarray(0, received));
        buf = grown;
      }
      buf.set(part, received);
      received += part.length;
      report();
    };

    for (let attempt = 0; attempt < attempts; attempt++) {
      throwIfAborted(opts.signal);
      if (attempt > 0) {
        const base = Math.min(
          this.#o.maxBackoffMs ?? HTTP_BACKOFF_MAX_MS,
          (this.#o.backoffMs ?? HTTP_BACKOFF_BASE_MS) * 2 ** (attempt - 1),
        );
        await sleep(base * (0.5 + Math.random()));
        throwIfAborted(opts.signal);
      }
      const headers: Record<string, string> = { ...this.#o.headers };
      if (received > 0) headers['range'] = `bytes=${received}-`;
      let res: Response;
      try {
        res = await this.#fetch(url, { headers, ...(opts.signal ? { signal: opts.signal } : {}) });
      } catch (err) {
        throwIfAborted(opts.signal);
        lastError = err;
        continue;
      }
      lastStatus = res.status;
      try {
        if (res.status === 404 || res.status === 410) {
          await res.body?.cancel();
          return undefined;
        }
        if (res.status === 416 && total !== undefined && received === total) break;
        if (HTTP_RETRYABLE_STATUS.has(res.status)) throw new RetryableHttp(`HTTP ${res.status}`);
        if (!res.ok) {
          await res.body?.cancel();
          throw new VirtualTensorError('HTTP_ERROR', `GET ${url.href} failed with HTTP ${res.status}.`, {
            meta: { url: url.href, status: res.status },
          });
        }
        if (res.status === 206) {
          const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get('content-range') ?? '');
          if (!m || Number(m[1]) !== received) {
            received = 0; // the server answered another range: start over without one
            throw new RetryableHttp('unexpected Content-Range');
          }
          if (m[3] !== '*') total ??= Number(m[3]);
        } else {
          received = 0; // 200: the server ignored Range (or this is the first request)
          const len = res.headers.get('content-length');
          if (len !== null && !res.headers.get('content-encoding')) total ??= Number(len);
        }
        if (total !== undefined && buf.length < total) {
          const grown = new Uint8Array(total);
          grown.set(buf.subarray(0, received));
          buf = grown;
        }
        if (!res.body) {
          append(new Uint8Array(await res.arrayBuffer()));
        } else {
          const reader = res.body.getReader();
          for (;;) {
            const { done, value } = await reader.read();
            if (done) break;
            append(value);
          }
        }
        if (total !== undefined && received < total) throw new RetryableHttp('truncated body');
        return buf.length === received ? buf : buf.slice(0, received);
      } catch (err) {
        res.body?.cancel().catch(() => {});
        if (err instanceof VirtualTensorError) throw err;
        throwIfAborted(opts.signal);
        lastError = err;
      }
    }
    if (total !== undefined && received === total) return buf;
    const truncated = total !== undefined && received > 0 && received < total;
    throw new VirtualTensorError(
      'HTTP_ERROR',
      truncated
        ? `GET ${url.href} returned a truncated body after ${attempts} attempts.`
        : `GET ${url.href} failed after ${attempts} attempts.`,
      {
        cause: lastError,
        meta: { url: url.href, status: lastStatus, received, total, attempts },
      },
    );
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (!this.#o.cache) throw new VirtualTensorError('IO_ERROR', 'HttpStore without a cache is read-only.');
    await this.#o.cache.put(key, bytes);
  }

  async has(key: string): Promise<boolean> {
    return (await this.#o.cache?.has(key)) ?? false;
  }

  async delete(key: string): Promise<void> {
    await this.#o.cache?.delete(key);
  }

  async keys(): Promise<string[]> {
    return (await this.#o.cache?.keys()) ?? [];
  }

  async invalidate(key: string): Promise<void> {
    await this.#o.cache?.delete(key);
  }

  /**
   * Fetches a small text file next to the chunks (e.g. `manifest.json`) with
   * the same retries, bypassing the cache.
   */
  async getText(name: string, opts: Pick<ChunkGetOptions, 'signal'> = {}): Promise<string | undefined> {
    const bytes = await this.#download(name, opts);
    return bytes && new TextDecoder().decode(bytes);
  }
}
