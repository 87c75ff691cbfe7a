import { type IDBPDatabase, wrap } from 'idb';
import { VirtualTensorError } from '../errors';
import { assertChunkKey, type ChunkStore } from './ChunkStore';

/** Options of {@link IdbStore}. */
export interface IdbStoreOptions {
  /** IndexedDB database name, e.g. one per model: `ailo-chunks-ailo-840m` */
  name: string;
  /** object store name (default `chunks`) */
  storeName?: string;
  /** IndexedDB factory (default `globalThis.indexedDB`). The `IDB*` globals must exist (browsers; `fake-indexeddb/auto` in Node). */
  indexedDB?: IDBFactory;
}

const DB_VERSION = 1;

/**
 * A {@link ChunkStore} in the browser's IndexedDB (through `idb`). Values are
 * stored as `ArrayBuffer`s holding exactly the chunk bytes.
 */
export class IdbStore implements ChunkStore {
  readonly #opts: IdbStoreOptions;
  readonly #storeName: string;
  #db: Promise<IDBPDatabase> | undefined;

  constructor(opts: IdbStoreOptions) {
    this.#opts = opts;
    this.#storeName = opts.storeName ?? 'chunks';
  }

  #open(): Promise<IDBPDatabase> {
    if (this.#db) return this.#db;
    const factory = this.#opts.indexedDB ?? (globalThis as { indexedDB?: IDBFactory }).indexedDB;
    if (!factory) {
      return Promise.reject(
        new VirtualTensorError('IO_ERROR', 'IndexedDB is not available in this environment.'),
      );
    }
    const request = factory.open(this.#opts.name, DB_VERSION);
    const storeName = this.#storeName;
    request.addEventListener('upgradeneeded', () => {
      const db = request.result;
      if (!db.objectStoreNames.contains(storeName)) db.createObjectStore(storeName);
    });
    this.#db = (wrap(request) as unknown as Promise<IDBPDatabase>).catch((cause: unknown) => {
      this.#db = undefined;
      throw new VirtualTensorError('IO_ERROR', `Cannot open IndexedDB "${this.#opts.name}".`, { cause });
    });
    return this.#db;
  }

  async #run<T>(what: string, fn: (db: IDBPDatabase) => Promise<T>): Promise<T> {
    const db = await this.#open();
    try {
      return await fn(db);
    } catch (cause) {
      throw new VirtualTensorError('IO_ERROR', `IndexedDB ${what} failed.`, { cause });
    }
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const v = await this.#run('get', (db) => db.get(this.#storeName, key));
    if (v === undefined) return undefined;
    return v instanceof ArrayBuffer ? new Uint8Array(v) : new Uint8Array(v as ArrayBufferLike);
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    assertChunkKey(key);
    // structured clone would copy a view's whole backing buffer: store exactly the bytes
    const ab =
      bytes.byteOffset === 0 &&
      bytes.byteLength === bytes.buffer.byteLength &&
      bytes.buffer instanceof ArrayBuffer
        ? bytes.buffer
        : bytes.slice().buffer;
    await this.#run('put', (db) => db.put(this.#storeName, ab, key));
  }

  async has(key: string): Promise<boolean> {
    return (await this.#run('count', (db) => db.count(this.#storeName, key))) > 0;
  }

  async delete(key: string): Promise<void> {
    await this.#run('delete', (db) => db.delete(this.#storeName, key));
  }

  async keys(): Promise<string[]> {
    const keys = await this.#run('getAllKeys', (db) => db.getAllKeys(this.#storeName));
    return keys.map(String).sort();
  }

  /** Closes the database connection. */
  async close(): Promise<void> {
    if (this.#db) (await this.#db).close();
    this.#db = undefined;
  }
}
