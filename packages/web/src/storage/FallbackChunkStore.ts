import { type ChunkStore, IdbStore, MemoryStore } from '@ailo/virtual-tensor';
import { isQuotaError } from './isQuotaError';

/** Where cached chunks live now. */
export type CacheKind = 'indexeddb' | 'memory';

/**
 * A chunk cache in IndexedDB that falls back to memory: when IndexedDB cannot be
 * opened (private mode) or a write exceeds the storage quota, the store switches
 * to a {@link MemoryStore} for the rest of the visit and reports why once.
 * Chunks already in IndexedDB are still read from it.
 */
export class FallbackChunkStore implements ChunkStore {
  private readonly idb: IdbStore;
  private readonly memory = new MemoryStore();
  kind: CacheKind = 'indexeddb';

  constructor(
    name: string,
    private readonly onFallback: (reason: 'quota' | 'unavailable', error: unknown) => void = () => {},
  ) {
    this.idb = new IdbStore({ name });
  }

  /** Opens IndexedDB now; falls back to memory when it cannot. */
  async open(): Promise<this> {
    try {
      await this.idb.keys();
    } catch (e) {
      this.fallback(isQuotaError(e) ? 'quota' : 'unavailable', e);
    }
    return this;
  }

  private fallback(reason: 'quota' | 'unavailable', e: unknown): void {
    if (this.kind === 'memory') return;
    this.kind = 'memory';
    this.onFallback(reason, e);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const m = await this.memory.get(key);
    if (m || this.kind === 'memory') return m ?? (await this.idb.get(key).catch(() => undefined));
    return this.idb.get(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    if (this.kind === 'indexeddb') {
      try {
        return await this.idb.put(key, bytes);
      } catch (e) {
        if (!isQuotaError(e)) throw e;
        this.fallback('quota', e);
      }
    }
    await this.memory.put(key, bytes);
  }

  async has(key: string): Promise<boolean> {
    return (await this.memory.has(key)) || (this.kind === 'indexeddb' && (await this.idb.has(key)));
  }

  async delete(key: string): Promise<void> {
    await this.memory.delete(key);
    await this.idb.delete(key).catch(() => {});
  }

  async keys(): Promise<string[]> {
    const idb = this.kind === 'indexeddb' ? await this.idb.keys() : [];
    return [...new Set([...idb, ...(await this.memory.keys())])].sort();
  }

  async invalidate(key: string): Promise<void> {
    await this.delete(key);
  }
}
