import { createHash, type Hash } from 'node:crypto';
import type * as fsp from 'node:fs/promises';
import { VirtualTensorError } from '../../errors';
import type { ByteSink } from '../../http/ByteSink';
import { ioError } from '../ioError';

/** File system calls a {@link FileSink} makes (tests inject ENOSPC). */
export type SinkFs = Pick<typeof fsp, 'open'>;

const READ_BLOCK = 1 << 22; // bytes re-hashed per read when resuming

/** The error a failed write becomes: ENOSPC gets its own fix. */
function writeError(err: unknown, path: string): VirtualTensorError {
  if ((err as { code?: unknown })?.code === 'ENOSPC') {
    return new VirtualTensorError(
      'IO_ERROR',
      `Disk full while writing ${path}: free space, or pull into an --out directory on another disk.`,
      {
        details: 'The partial download is kept and resumes on the next run.',
        cause: err,
        meta: { code: 'ENOSPC', path },
      },
    );
  }
  return ioError(err, `Writing ${path}`);
}

/**
 * A {@link ByteSink} appending to a `.part` file, hashing (sha256) as it
 * goes. Opening an existing file resumes after its bytes (which are hashed
 * first); `reset` truncates it.
 */
export class FileSink implements ByteSink {
  #hash: Hash = createHash('sha256');
  #size = 0;

  private constructor(
    readonly path: string,
    private readonly fh: fsp.FileHandle,
  ) {}

  /** Opens (or creates) `path` for appending and hashes the bytes it already holds. */
  static async open(path: string, fs: SinkFs): Promise<FileSink> {
    let fh: fsp.FileHandle;
    try {
      fh = await fs.open(path, 'a+');
    } catch (err) {
      throw writeError(err, path);
    }
    const sink = new FileSink(path, fh);
    try {
      const { size } = await fh.stat();
      const buf = new Uint8Array(Math.min(READ_BLOCK, size));
      for (let pos = 0; pos < size; ) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(buf.length, size - pos), pos);
        if (bytesRead === 0) break;
        sink.#hash.update(buf.subarray(0, bytesRead));
        pos += bytesRead;
        sink.#size = pos;
      }
    } catch (err) {
      await fh.close().catch(() => {});
      throw ioError(err, `Reading ${path}`);
    }
    return sink;
  }

  get size(): number {
    return this.#size;
  }

  async write(part: Uint8Array): Promise<void> {
    try {
      for (let off = 0; off < part.length; ) {
        const { bytesWritten } = await this.fh.write(part, off, part.length - off);
        off += bytesWritten;
      }
    } catch (err) {
      throw writeError(err, this.path);
    }
    this.#hash.update(part);
    this.#size += part.length;
  }

  async reset(): Promise<void> {
    try {
      await this.fh.truncate(0);
    } catch (err) {
      throw writeError(err, this.path);
    }
    this.#hash = createHash('sha256');
    this.#size = 0;
  }

  /** Lowercase hex sha256 of the bytes written so far (the sink stays usable). */
  sha256(): string {
    return this.#hash.copy().digest('hex');
  }

  async close(): Promise<void> {
    await this.fh.close();
  }
}
