import type * as fsp from 'node:fs/promises';
import { join } from 'node:path';
import { HUB_PART_SUFFIX } from '../../constants';
import { isVirtualTensorError, VirtualTensorError } from '../../errors';
import { fetchResumable } from '../../http/fetchResumable';
import { hubRetryError, hubStatusError } from '../../hub/hubErrors';
import type { HubRef } from '../../hub/hubRef';
import { type HubFileInfo, type HubRequestOptions, hubAuthHeaders } from '../../hub/resolveHubFile';
import { ioError } from '../ioError';
import { FileSink, type SinkFs } from './FileSink';

/** File system calls a hub download makes. */
export type DownloadFs = SinkFs & Pick<typeof fsp, 'stat' | 'rename' | 'rm'>;

/** Options of {@link downloadHubFile}. */
export interface DownloadHubFileOptions extends HubRequestOptions {
  fs: DownloadFs;
  /** bytes of this file held so far (resumed bytes included), and its size when known */
  onProgress?: (bytes: number, total: number | undefined) => void;
}

/** A file on disk after {@link downloadHubFile}. */
export interface DownloadedFile {
  file: string;
  path: string;
  bytes: number;
  /** the hub's sha256 that the bytes were checked against, when it gave one */
  sha256: string | undefined;
  /** already complete on disk from an earlier run; nothing was fetched */
  reused: boolean;
  /** bytes fetched over the network in this call (resumed bytes excluded) */
  fetched: number;
}

/**
 * Downloads one resolved hub file into `dir`: bytes go to `<file>.part`
 * (resumed with `Range` after an interrupted run or a dropped connection),
 * then the size and sha256 the hub announced are checked and the file is
 * renamed into place. A complete file left by an earlier run (same size) is
 * reused without a request.
 * @throws VirtualTensorError `DOWNLOAD_INCOMPLETE` (the `.part` file is kept),
 *   `DOWNLOAD_INTEGRITY` (it is deleted), `HUB_RATE_LIMITED`,
 *   `HUB_UNAUTHORIZED`, `HUB_NOT_FOUND`, `HTTP_ERROR`, `IO_ERROR` (ENOSPC, …)
 */
export async function downloadHubFile(
  ref: HubRef,
  info: HubFileInfo,
  dir: string,
  opts: DownloadHubFileOptions,
): Promise<DownloadedFile> {
  const { fs } = opts;
  const path = join(dir, info.file);
  const part = `${path}${HUB_PART_SUFFIX}`;
  const done = await fileSize(fs, path);
  if (done !== undefined && info.size !== undefined && done === info.size) {
    opts.onProgress?.(done, info.size);
    return { file: info.file, path, bytes: done, sha256: info.sha256, reused: true, fetched: 0 };
  }
  const ctx = { ref, file: info.file, url: info.downloadUrl.href, withToken: Boolean(opts.token) };
  const sink = await FileSink.open(part, fs);
  let closed = false;
  const close = async () => {
    if (!closed) {
      closed = true;
      await sink.close();
    }
  };
  try {
    // a longer .part than the file cannot be a prefix of it
    if (info.size !== undefined && sink.size > info.size) await sink.reset();
    let fetched = 0;
    let last = sink.size;
    const progress = (bytes: number, total: number | undefined): void => {
      fetched += bytes >= last ? bytes - last : bytes; // smaller: the sink was reset
      last = bytes;
      opts.onProgress?.(bytes, total);
    };
    let res: Awaited<ReturnType<typeof fetchResumable>>;
    try {
      res = await fetchResumable(info.downloadUrl, sink, {
        ...opts,
        headers: { 'accept-encoding': 'identity', ...(info.sameOrigin ? hubAuthHeaders(opts.token) : {}) },
        ...(info.size !== undefined ? { total: info.size } : {}),
        onProgress: progress,
      });
    } catch (err) {
      if (isVirtualTensorError(err, 'HTTP_ERROR') && err.meta?.['attempts'] !== undefined) {
        const m = err.meta;
        throw hubRetryError(
          {
            status: m['status'] as number | undefined,
            attempts: m['attempts'] as number,
            retryAfterMs: m['retryAfterMs'] as number | undefined,
            received: sink.size,
            total: info.size,
            cause: err,
          },
          ctx,
        );
      }
      throw err;
    }
    if (!res.ok) throw hubStatusError(res.status, res.headers, ctx);
    if (info.size !== undefined && sink.size !== info.size) {
      await close();
      await fs.rm(part, { force: true });
      throw new VirtualTensorError(
        'DOWNLOAD_INTEGRITY',
        `${info.file} has ${sink.size} bytes but the hub announced ${info.size}: it was deleted, run the same command again.`,
        {
          meta: { file: info.file, expected: info.size, actual: sink.size },
        },
      );
    }
    const actual = sink.sha256();
    if (info.sha256 !== undefined && actual !== info.sha256) {
      await close();
      await fs.rm(part, { force: true });
      throw new VirtualTensorError(
        'DOWNLOAD_INTEGRITY',
        `${info.file} does not match the sha256 the hub announced: it was deleted, run the same command again.`,
        {
          details: `Expected ${info.sha256}, got ${actual}.`,
          meta: { file: info.file, expected: info.sha256, actual },
        },
      );
    }
    await close();
    try {
      await fs.rename(part, path);
    } catch (err) {
      throw ioError(err, `Renaming ${part}`);
    }
    return { file: info.file, path, bytes: sink.size, sha256: info.sha256, reused: false, fetched };
  } finally {
    await close().catch(() => {});
  }
}

async function fileSize(fs: Pick<typeof fsp, 'stat'>, path: string): Promise<number | undefined> {
  try {
    const st = await fs.stat(path);
    return st.isFile() ? st.size : undefined;
  } catch {
    return undefined;
  }
}
