import { randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { assertChunkKey, type ChunkStore } from '../stores/ChunkStore';
import { ioError } from './ioError';

/** Options of {@link FsStore}. */
export interface FsStoreOptions {
  /** file system implementation (tests inject failures) */
  fs?: Pick<typeof fsp, 'readFile' | 'writeFile' | 'rename' | 'rm' | 'mkdir' | 'readdir' | 'stat'>;
}

/**
 * A {@link ChunkStore} in a directory: one file per key. Writes go to a
 * temporary file in the same directory, then `rename` over the target, so a
 * reader never sees a partial chunk.
 */
export class FsStore implements ChunkStore {
  readonly dir: string;
  readonly #fs: NonNullable<FsStoreOptions['fs']>;

  constructor(dir: string, opts: FsStoreOptions = {}) {
    this.dir = dir;
    this.#fs = opts.fs ?? fsp;
  }

  #path(key: string): string {
    assertChunkKey(key);
    return join(this.dir, key);
  }

  async get(key: string): Promise<Uint8Array | undefined> {
    const p = this.#path(key);
    try {
      const b = await this.#fs.readFile(p);
      return new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return undefined;
      throw ioError(err, `Reading ${p}`);
    }
  }

  async put(key: string, bytes: Uint8Array): Promise<void> {
    const p = this.#path(key);
    const tmp = join(this.dir, `.${key}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      await this.#fs.mkdir(this.dir, { recursive: true });
      await this.#fs.writeFile(tmp, bytes);
      await this.#fs.rename(tmp, p);
    } catch (err) {
      await this.#fs.rm(tmp, { force: true }).catch(() => {});
      throw ioError(err, `Writing ${p}`);
    }
  }

  async has(key: string): Promise<boolean> {
    try {
      return (await this.#fs.stat(this.#path(key))).isFile();
    } catch {
      return false;
    }
  }

  async delete(key: string): Promise<void> {
    try {
      await this.#fs.rm(this.#path(key), { force: true });
    } catch (err) {
      throw ioError(err, `Deleting ${key}`);
    }
  }

  async keys(): Promise<string[]> {
    try {
      const names = await this.#fs.readdir(this.dir);
      return names.filter((n) => !n.startsWith('.') && n.endsWith('.bin')).sort();
    } catch (err) {
      if ((err as { code?: string }).code === 'ENOENT') return [];
      throw ioError(err, `Listing ${this.dir}`);
    }
  }
}
