import { VirtualTensorError } from '../errors';
import { fetchResumable } from '../http/fetchResumable';
import { MemorySink } from '../http/MemorySink';
import type { RetryOptions } from '../http/withRetries';
import { assertChunkKey, type ChunkGetOptions, type ChunkProgress, type ChunkStore } from './ChunkStore';

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
  /** longest `Retry-After` (429/503) waited for; a longer one fails at once (default 60000). ms */
  maxRetryAfterMs?: number;
  /** extra request headers (e.g. authorization) */
  headers?: Record<string, string>;
  /** called as bytes arrive, for every chunk */
  onProgress?: (e: ChunkProgress) => void;
  /** fetch implementation (default `globalThis.fetch`) */
  fetch?: typeof fetch;
  /** sleep implementation (tests shorten backoff) */
  sleep?: (ms: number) => Promise<void>;
}

/**
 * A read-through {@link ChunkStore} over HTTP(S). `get` serves from `cache`
 * when present; otherwise it fetches, resuming an interrupted body with a
 * `Range` request, retrying network errors and 408/429/5xx with exponential
 * backoff (and the server's `Retry-After`), reporting progress, and writing the complete bytes into `cache`.
 * 404/410 mean "absent" (undefined). `put`/`delete`/`keys` act on the cache.
 */
export class HttpStore implements ChunkStore {
  readonly #o: HttpStoreOptions;
  readonly #base: URL;
  readonly #fetch: typeof fetch;
  readonly #retry: RetryOptions;

  constructor(opts: HttpStoreOptions) {
    this.#o = opts;
    const base = new URL(String(opts.baseUrl));
    if (!base.pathname.endsWith('/')) base.pathname += '/';
    this.#base = base;
    const f = opts.fetch ?? (globalThis as { fetch?: typeof fetch }).fetch;
    if (!f) throw new VirtualTensorError('HTTP_ERROR', 'No fetch implementation is available.');
    this.#fetch = f;
    const { retries, backoffMs, maxBackoffMs, maxRetryAfterMs, sleep } = opts;
    this.#retry = Object.fromEntries(
      Object.entries({ retries, backoffMs, maxBackoffMs, maxRetryAfterMs, sleep }).filter(
        ([, v]) => v !== undefined,
      ),
    ) as RetryOptions;
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
    const sink = new MemorySink(opts.bytes ?? 0);
    const res = await fetchResumable(url, sink, {
      ...this.#retry,
      fetch: this.#fetch,
      ...(this.#o.headers ? { headers: this.#o.headers } : {}),
      ...(opts.bytes !== undefined ? { total: opts.bytes } : {}),
      ...(opts.signal ? { signal: opts.signal } : {}),
      onProgress: (bytes, total) => {
        const e = { key, bytes, total };
        opts.onProgress?.(e);
        this.#o.onProgress?.(e);
      },
    });
    if (res.ok) return sink.bytes();
    if (res.status === 404 || res.status === 410) return undefined;
    throw new VirtualTensorError('HTTP_ERROR', `GET ${url.href} failed with HTTP ${res.status}.`, {
      meta: { url: url.href, status: res.status },
    });
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
