import { VirtualTensorError } from '../errors';

/** Progress of one chunk transfer. */
export interface ChunkProgress {
  key: string;
  /** bytes received so far */
  bytes: number;
  /** expected bytes, when known */
  total: number | undefined;
}

/** Options of {@link ChunkStore.get}. */
export interface ChunkGetOptions {
  signal?: AbortSignal;
  /** expected length when known: lets remote stores detect truncation and report totals. bytes */
  bytes?: number;
  onProgress?: (e: ChunkProgress) => void;
}

/**
 * Where chunk bytes live: memory, a directory, IndexedDB, or an HTTP origin.
 * Keys are chunk file names (`chunk-00007.bin`). Stores do not verify bytes;
 * `VirtualModel` does, before any tensor is handed out.
 */
export interface ChunkStore {
  /** the bytes of `key`, or undefined when the store does not have it */
  get(key: string, opts?: ChunkGetOptions): Promise<Uint8Array | undefined>;
  /** stores `bytes` under `key`, replacing any previous value atomically */
  put(key: string, bytes: Uint8Array): Promise<void>;
  has(key: string): Promise<boolean>;
  /** removes `key`; no error when absent */
  delete(key: string): Promise<void>;
  /** keys held locally */
  keys(): Promise<string[]>;
  /**
   * Drops any locally cached copy of `key` so the next `get` reads from the
   * origin. Only cache-through stores implement it; `VirtualModel` calls it
   * before re-fetching a chunk that failed verification.
   */
  invalidate?(key: string): Promise<void>;
}

const KEY_RE = /^[A-Za-z0-9_-][A-Za-z0-9._-]*$/;

/**
 * Checks a store key: letters, digits, `.`, `_`, `-`, not starting with a dot
 * (keys become file names and URL path segments).
 * @throws VirtualTensorError `IO_ERROR`
 */
export function assertChunkKey(key: string): void {
  if (typeof key !== 'string' || !KEY_RE.test(key) || key.length > 255) {
    throw new VirtualTensorError('IO_ERROR', `Invalid chunk key ${JSON.stringify(key)}.`, {
      details: 'Keys are file names made of letters, digits, ".", "_" and "-".',
    });
  }
}

/** Throws `ABORTED` when `signal` is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new VirtualTensorError('ABORTED', 'Operation aborted.', { cause: signal.reason });
  }
}
