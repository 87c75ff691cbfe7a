import * as fsp from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { isVirtualTensorError, VirtualTensorError } from '../../errors';
import { type HubRef, hubRef } from '../../hub/hubRef';
import { type HubFileInfo, type HubRequestOptions, resolveHubFile } from '../../hub/resolveHubFile';
import type { Manifest } from '../../manifestSchema';
import { modelConfigFromHf } from '../../modelConfig';
import type { PackLayoutOptions } from '../../preparePack';
import { ioError } from '../ioError';
import { acquirePackLock } from '../packLock';
import { type PackFs, packModel } from '../packModel';
import { type DownloadedFile, type DownloadFs, downloadHubFile } from './downloadHubFile';

/** Files copied next to the chunks when the hub has them; absent ones are skipped. */
export const HUB_OPTIONAL_FILES = [
  'tokenizer.json',
  'tokenizer_config.json',
  'generation_config.json',
  'special_tokens_map.json',
] as const;

const CONFIG_FILE = 'config.json';
const INDEX_FILE = 'model.safetensors.index.json';
const SINGLE_FILE = 'model.safetensors';
const SHARD_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*\.safetensors$/;
/** Raw download directory beside `out` while pulling; `<out>/.hf` when kept. */
export const HUB_DOWNLOAD_SUFFIX = '.download';
/** Where `keepDownload` leaves the raw hub files, inside the packed directory. */
export const HUB_KEPT_DIR = '.hf';

/** File system calls {@link pullModel} makes (tests inject ENOSPC or a full disk). */
export type PullFs = DownloadFs &
  PackFs &
  Pick<typeof fsp, 'open' | 'mkdir' | 'rename' | 'rm' | 'stat' | 'statfs' | 'copyFile' | 'readFile'>;

/** Progress of a pull: downloads first, then the pack. */
export interface PullProgress {
  phase: 'download' | 'pack';
  /** file being downloaded (download phase) */
  file?: string;
  /** bytes done in this phase (downloads: resumed and reused bytes included) */
  bytes: number;
  /** bytes in this phase; downloads whose size the hub did not give count 0 */
  total: number;
}

/** Options of {@link pullModel}. */
export interface PullModelOptions extends PackLayoutOptions, HubRequestOptions {
  /** `org/name` on the hub */
  repo: string;
  /** packed output directory (replaced atomically, like `packModel`) */
  out: string;
  /** branch, tag or commit (default `main`) */
  revision?: string;
  /** hub endpoint (default: `HF_ENDPOINT`, else https://huggingface.co) */
  endpoint?: string;
  /** bearer token (default: `HF_TOKEN`) */
  token?: string;
  /** keep the raw hub files in `<out>/.hf` instead of deleting them after the pack */
  keepDownload?: boolean;
  onProgress?: (p: PullProgress) => void;
  /** file system (default `node:fs/promises`) */
  fs?: PullFs;
}

/** Result of {@link pullModel}. */
export interface PullResult {
  ref: HubRef;
  manifest: Manifest;
  /** absolute packed directory */
  dir: string;
  /** every file fetched or reused, in download order */
  files: DownloadedFile[];
  /** bytes fetched over the network in this run (resumed and reused bytes excluded) */
  fetchedBytes: number;
  /** where the raw files were kept, with `keepDownload` */
  keptDir?: string;
}

async function exists(fs: Pick<typeof fsp, 'stat'>, path: string): Promise<boolean> {
  try {
    await fs.stat(path);
    return true;
  } catch {
    return false;
  }
}

async function readJson(fs: Pick<typeof fsp, 'readFile'>, path: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (err) {
    throw ioError(err, `Reading ${path}`);
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new VirtualTensorError('HUB_INVALID', `The hub's ${what} is not valid JSON.`, { cause });
  }
}

/** Shard files named by a `model.safetensors.index.json`. */
function shardFiles(index: unknown): string[] {
  const map = (index as { weight_map?: unknown } | null)?.weight_map;
  if (typeof map !== 'object' || map === null || Array.isArray(map)) {
    throw new VirtualTensorError('HUB_INVALID', `${INDEX_FILE} has no weight_map object.`);
  }
  const files = [...new Set(Object.values(map as Record<string, unknown>))];
  for (const f of files) {
    if (typeof f !== 'string' || !SHARD_RE.test(f)) {
      throw new VirtualTensorError('HUB_INVALID', `${INDEX_FILE} names an unusable shard file.`, {
        details: `${JSON.stringify(f)} is not a plain *.safetensors file name.`,
      });
    }
  }
  if (files.length === 0) throw new VirtualTensorError('HUB_INVALID', `${INDEX_FILE} lists no shards.`);
  return (files as string[]).sort();
}

/**
 * Pulls a model from a Hugging Face–compatible hub and packs it:
 * `config.json` (its family is checked before any weights are fetched), the
 * tokenizer files when present, and the safetensors weights (a single
 * `model.safetensors` or the shards of `model.safetensors.index.json`), from
 * `{endpoint}/{repo}/resolve/{revision}/{file}`.
 *
 * Raw files go to `<out>.download/` (each through a `.part` file resumed with
 * `Range`, checked against the hub's size and sha256). A failed or
 * interrupted pull leaves them there and the next run resumes. After the
 * weights are packed into `out` (as {@link packModel}), the config and
 * tokenizer files are copied beside the manifest and the raw download is
 * deleted, or moved to `<out>/.hf/` with `keepDownload` (a later pull into
 * the same `out` reuses it).
 * @throws VirtualTensorError `HUB_UNAUTHORIZED`, `HUB_NOT_FOUND`, `HUB_RATE_LIMITED`,
 *   `HUB_INVALID`, `DOWNLOAD_INCOMPLETE`, `DOWNLOAD_INTEGRITY`, `HTTP_ERROR`,
 *   `IO_ERROR` (ENOSPC, …), `CONFIG_INVALID`, `PACK_LOCKED`, and `packModel`'s errors
 */
export async function pullModel(opts: PullModelOptions): Promise<PullResult> {
  const fs = opts.fs ?? fsp;
  const env = process.env;
  const ref = hubRef(opts.repo, {
    ...(opts.revision !== undefined ? { revision: opts.revision } : {}),
    ...((opts.endpoint ?? env['HF_ENDPOINT']) ? { endpoint: (opts.endpoint ?? env['HF_ENDPOINT'])! } : {}),
  });
  const token = opts.token ?? (env['HF_TOKEN'] || undefined);
  const req: HubRequestOptions = {
    ...(token ? { token } : {}),
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(opts.signal ? { signal: opts.signal } : {}),
    ...(opts.sleep ? { sleep: opts.sleep } : {}),
    ...(opts.retries !== undefined ? { retries: opts.retries } : {}),
    ...(opts.backoffMs !== undefined ? { backoffMs: opts.backoffMs } : {}),
    ...(opts.maxBackoffMs !== undefined ? { maxBackoffMs: opts.maxBackoffMs } : {}),
    ...(opts.maxRetryAfterMs !== undefined ? { maxRetryAfterMs: opts.maxRetryAfterMs } : {}),
  };
  const out = resolve(opts.out);
  const staging = `${out}${HUB_DOWNLOAD_SUFFIX}`;
  const kept = join(out, HUB_KEPT_DIR);
  try {
    await fs.mkdir(dirname(out), { recursive: true });
  } catch (err) {
    throw ioError(err, `Creating ${dirname(out)}`);
  }
  const lock = await acquirePackLock(staging, fs);
  try {
    try {
      if (!(await exists(fs, staging)) && (await exists(fs, kept))) await fs.rename(kept, staging);
      await fs.mkdir(staging, { recursive: true });
    } catch (err) {
      throw ioError(err, `Creating ${staging}`);
    }
    const files: DownloadedFile[] = [];
    const fetch1 = async (info: HubFileInfo, report?: (bytes: number) => void): Promise<DownloadedFile> => {
      const d = await downloadHubFile(ref, info, staging, {
        ...req,
        fs,
        ...(report ? { onProgress: (bytes: number) => report(bytes) } : {}),
      });
      files.push(d);
      return d;
    };
    const optional = async (file: string): Promise<HubFileInfo | undefined> => {
      try {
        return await resolveHubFile(ref, file, req);
      } catch (err) {
        if (isVirtualTensorError(err, 'HUB_NOT_FOUND') && err.meta?.['hubCode'] !== 'RevisionNotFound') {
          return undefined;
        }
        throw err;
      }
    };

    // 1. config.json: fail on an unsupported family before fetching weights
    const cfg = await fetch1(await resolveHubFile(ref, CONFIG_FILE, req));
    modelConfigFromHf((await readJson(fs, cfg.path, CONFIG_FILE)) as Record<string, unknown>);

    // 2. tokenizer files (optional), then the shard index or the single file
    for (const name of HUB_OPTIONAL_FILES) {
      const info = await optional(name);
      if (info) await fetch1(info);
    }
    const indexInfo = await optional(INDEX_FILE);
    let weightInfos: HubFileInfo[];
    if (indexInfo) {
      const index = await fetch1(indexInfo);
      const shards = shardFiles(await readJson(fs, index.path, INDEX_FILE));
      weightInfos = [];
      for (const s of shards) weightInfos.push(await resolveHubFile(ref, s, req));
    } else {
      try {
        weightInfos = [await resolveHubFile(ref, SINGLE_FILE, req)];
      } catch (err) {
        if (isVirtualTensorError(err, 'HUB_NOT_FOUND')) {
          throw new VirtualTensorError(
            'HUB_NOT_FOUND',
            `${ref.repo}@${ref.revision} has no ${SINGLE_FILE} or ${INDEX_FILE}: only safetensors checkpoints can be pulled.`,
            {
              details:
                'If the repository holds pytorch_model.bin only, convert it to safetensors first, ' +
                'or pick a revision (--revision) that has safetensors.',
              cause: err,
              ...(err.meta ? { meta: err.meta } : {}),
            },
          );
        }
        throw err;
      }
    }

    // 3. disk space: the raw weights and the packed chunks coexist until the pack ends
    const weightTotal = weightInfos.reduce((s, i) => s + (i.size ?? 0), 0);
    let onDisk = 0;
    for (const i of weightInfos) onDisk += await partialBytes(fs, join(staging, i.file), i.size);
    await checkFreeSpace(fs, staging, weightTotal - onDisk + weightTotal);

    // 4. weights, with one progress total over all of them
    let doneBefore = 0;
    for (const info of weightInfos) {
      const d = await fetch1(info, (bytes) =>
        opts.onProgress?.({
          phase: 'download',
          file: info.file,
          bytes: doneBefore + bytes,
          total: weightTotal,
        }),
      );
      doneBefore += d.bytes;
    }

    // 5. pack, copy config/tokenizer files beside the manifest, then drop or keep the raw files
    const packed = await packModel({
      input: staging,
      out,
      fs,
      ...(opts.chunks !== undefined ? { chunks: opts.chunks } : {}),
      ...(opts.chunkBytes !== undefined ? { chunkBytes: opts.chunkBytes } : {}),
      ...(opts.dtype !== undefined ? { dtype: opts.dtype } : {}),
      ...(opts.keepBuffers !== undefined ? { keepBuffers: opts.keepBuffers } : {}),
      onProgress: (p) => opts.onProgress?.({ phase: 'pack', bytes: p.bytes, total: p.total }),
    });
    const side = files.filter(
      (f) => f.file === CONFIG_FILE || (HUB_OPTIONAL_FILES as readonly string[]).includes(f.file),
    );
    try {
      for (const f of side) await fs.copyFile(f.path, join(out, f.file));
      if (opts.keepDownload) {
        await fs.rm(kept, { recursive: true, force: true });
        await fs.rename(staging, kept);
      } else {
        await fs.rm(staging, { recursive: true, force: true });
      }
    } catch (err) {
      throw ioError(err, `Finishing ${out}`);
    }
    const fetchedBytes = files.reduce((n, f) => n + f.fetched, 0);
    const result: PullResult = { ref, manifest: packed.manifest, dir: out, files, fetchedBytes };
    if (opts.keepDownload) result.keptDir = kept;
    return result;
  } catch (err) {
    // nothing to resume: leave no empty download directory behind
    if ((await fs.readdir(staging).catch(() => ['?'])).length === 0)
      await fs.rm(staging, { recursive: true }).catch(() => {});
    throw err;
  } finally {
    await lock.release().catch(() => {});
  }
}

/** Bytes of `path` (complete) or `path.part` already on disk, at most `size`. */
async function partialBytes(
  fs: Pick<typeof fsp, 'stat'>,
  path: string,
  size: number | undefined,
): Promise<number> {
  for (const p of [path, `${path}.part`]) {
    try {
      const st = await fs.stat(p);
      return size === undefined ? 0 : Math.min(st.size, size);
    } catch {}
  }
  return 0;
}

/**
 * Fails before downloading when the disk holding `dir` has less than `need`
 * bytes free (`statfs`; skipped where the platform cannot tell).
 * @throws VirtualTensorError `IO_ERROR` with `meta.code` `ENOSPC`
 */
async function checkFreeSpace(fs: Pick<typeof fsp, 'statfs'>, dir: string, need: number): Promise<void> {
  let free: number;
  try {
    const st = await fs.statfs(dir);
    free = Number(st.bavail) * Number(st.bsize);
  } catch {
    return;
  }
  if (need > free) {
    const gb = (n: number) => `${(n / 1e9).toFixed(2)} GB`;
    throw new VirtualTensorError(
      'IO_ERROR',
      `Not enough disk space in ${dir}: needs ${gb(need)}, ${gb(free)} free; free space or pull into --out on a larger disk.`,
      {
        details: 'The raw weights and the packed chunks both need room until the pack ends.',
        meta: { code: 'ENOSPC', need, free, dir },
      },
    );
  }
}
