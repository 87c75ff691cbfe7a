import { assertChunkKey, type ChunkStore } from './ChunkStore';

/**
 * A {@link ChunkStore} in memory. `put` keeps a private copy; `get` returns
 * that copy without copying again (do not mutate it).
 */
export class MemoryStore implements ChunkStore {
  readonly #map = new Map<string, Uint8Array>();

  async get(key: string): Promise<Uint8Array | undefined> {
    return this.#map.get(key);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    assertChunkKey(key);
    this.#map.set(key, bytes.slice());
  }

  async has(key: string): Promise<boolean> {
    return this.#map.has(key);
  }

  async delete(key: string): Promise<void> {
    this.#map.delete(key);
  }

  async keys(): Promise<string[]> {
    return [...this.#map.keys()].sort();
  }

  /** Total bytes held. */
  get byteLength(): number {
    let n = 0;
    for (const v of this.#map.values()) n += v.length;
    return n;
  }
}
