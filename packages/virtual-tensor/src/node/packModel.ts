import { createHash, randomBytes } from 'node:crypto';
import * as fsp from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { buildManifest, chunkFileName } from '../buildManifest';
import { MANIFEST_FILE } from '../constants';
import { convertBytes } from '../convertBytes';
import { itemSize } from '../dtype';
import { VirtualTensorError } from '../errors';
import { inferModelConfig } from '../inferModelConfig';
import type { Manifest } from '../manifestSchema';
import {
  type Architecture,
  type ModelConfig,
  type ModelConfigInput,
  modelConfigFromHf,
} from '../modelConfig';
import { chunkPieces, type PackLayoutOptions, preparePack } from '../preparePack';
import { classifyTensorName } from '../tensorGroups';
import { ioError } from './ioError';
import { acquirePackLock } from './packLock';
import { type Checkpoint, type CheckpointTensor, readCheckpoint } from './readCheckpoint';
import { readFully } from './readSafetensorsFile';

/** File system calls the packer makes; tests inject failures (ENOSPC, EACCES). */
export type PackFs = Pick<
  typeof fsp,
  'open' | 'mkdir' | 'writeFile' | 'rename' | 'rm' | 'readdir' | 'stat' | 'readFile'
>;

/** Progress of a pack. */
export interface PackProgress {
  /** chunk bytes written so far */
  bytes: number;
  /** chunk bytes in total */
  total: number;
  /** chunks written so far */
  chunks: number;
  /** chunks in total */
  totalChunks: number;
}

/** Options of {@link packModel}. */
export interface PackModelOptions extends PackLayoutOptions {
  /** HF directory, `.safetensors` file, or `model.safetensors.index.json` */
  input: string;
  /** output directory; replaced atomically if it holds a previous pack */
  out: string;
  /** model config (wins over everything else) */
  config?: ModelConfig;
  /** HF `config.json` object (wins over one found beside the weights) */
  hfConfig?: Record<string, unknown>;
  /** with no config file: the family, for deriving the config from tensor shapes */
  architecture?: Architecture;
  /** fields that cannot be derived from shapes (e.g. `numHeads`), or that override derived ones */
  configOverrides?: Partial<Omit<ModelConfigInput, 'architecture'>>;
  onProgress?: (p: PackProgress) => void;
  /** file system (default `node:fs/promises`) */
  fs?: PackFs;
}

/** Result of {@link packModel}. */
export interface PackResult {
  manifest: Manifest;
  /** absolute output directory */
  dir: string;
  /** tensors dropped as non-parameter buffers */
  dropped: string[];
}

/** Resolves the model config of a pack: explicit config, then config.json, then shapes. */
export function resolvePackConfig(
  ckpt: Pick<Checkpoint, 'tensors' | 'hfConfig'>,
  opts: Omit<PackModelOptions, 'input' | 'out'>,
): ModelConfig {
  if (opts.config) return opts.config;
  const hf = opts.hfConfig ?? ckpt.hfConfig;
  if (hf) return modelConfigFromHf(hf);
  const arch = opts.architecture ?? guessArchitecture(ckpt.tensors);
  if (!arch) {
    throw new VirtualTensorError(
      'CONFIG_INVALID',
      'No config.json: pass a config file, or the architecture and head count.',
      {
        details: 'e.g. --config config.json, or --arch gpt2 --n-head 12.',
      },
    );
  }
  return inferModelConfig(arch, ckpt.tensors, opts.configOverrides ?? {});
}

function guessArchitecture(tensors: readonly { name: string }[]): Architecture | undefined {
  const locals = new Set(tensors.map((t) => classifyTensorName(t.name).local));
  if (locals.has('wte.weight')) return 'gpt2';
  if (locals.has('embed_tokens.weight')) return locals.has('self_attn.q_proj.bias') ? 'qwen2' : 'llama';
  return undefined;
}

/**
 * Packs a Hugging Face safetensors checkpoint (single file or sharded) into
 * `out`: chunk files plus `manifest.json`. Streams tensor by tensor (memory ≈
 * one chunk), optionally converting float dtype.
 *
 * Atomic: everything is written into a temporary sibling directory, the
 * manifest last, which is then renamed to `out` (a previous pack there is
 * swapped out and removed). On failure the temporary directory is removed and
 * `out` is left as it was. An O_EXCL lock file beside `out` keeps concurrent
 * packs out.
 * @throws VirtualTensorError `PACK_LOCKED`, `IO_ERROR` (ENOSPC, EACCES, …), `PACK_INPUT_INVALID`,
 *   `CONFIG_INVALID`, `PLAN_INVALID`, `SAFETENSORS_*`
 */
export async function packModel(opts: PackModelOptions): Promise<PackResult> {
  const fs = opts.fs ?? fsp;
  const out = resolve(opts.out);
  const ckpt = await readCheckpoint(opts.input, { fs });
  const config = resolvePackConfig(ckpt, opts);
  const plan = preparePack(ckpt.tensors, config, opts);
  const byName = new Map<string, CheckpointTensor>(ckpt.tensors.map((t) => [t.name, t]));

  try {
    await fs.mkdir(dirname(out), { recursive: true });
  } catch (err) {
    throw ioError(err, `Creating ${dirname(out)}`);
  }
  const lock = await acquirePackLock(out, fs);
  const tmp = `${out}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  const handles = new Map<string, fsp.FileHandle>();
  try {
    await assertReplaceable(fs, out);
    await fs.mkdir(tmp);
    const pieces = chunkPieces(plan);
    const total = plan.layout.totalBytes;
    const maxChunk = Math.max(...plan.layout.chunks.map((c) => c.bytes));
    const buf = new Uint8Array(maxChunk);
    let scratch = new Uint8Array(0);
    const digests: string[] = [];
    let written = 0;
    for (const c of plan.layout.chunks) {
      const chunk = buf.subarray(0, c.bytes);
      chunk.fill(0);
      for (const p of pieces[c.id]!) {
        const src = byName.get(p.name)!;
        let fh = handles.get(src.file);
        if (!fh) {
          fh = await fs.open(src.file, 'r');
          handles.set(src.file, fh);
        }
        const dst = chunk.subarray(p.dstOffset, p.dstOffset + p.dstLength);
        if (p.from === p.to) {
          await readFully(fh, dst, src.position + p.srcStart);
        } else {
          const n = p.srcEnd - p.srcStart;
          if (scratch.length < n) scratch = new Uint8Array(Math.max(n, itemSize(p.from) * 1024));
          const s = scratch.subarray(0, n);
          await readFully(fh, s, src.position + p.srcStart);
          convertBytes(s, p.from, dst, p.to);
        }
      }
      digests.push(createHash('sha256').update(chunk).digest('hex'));
      await fs.writeFile(join(tmp, chunkFileName(c.id)), chunk);
      written += c.bytes;
      opts.onProgress?.({ bytes: written, total, chunks: c.id + 1, totalChunks: plan.layout.chunks.length });
    }
    const manifest = buildManifest({
      model: config,
      layout: plan.layout,
      sha256: digests,
      metadata: ckpt.metadata,
    });
    await fs.writeFile(join(tmp, MANIFEST_FILE), `${JSON.stringify(manifest, null, 1)}\n`);
    await swapIntoPlace(fs, tmp, out);
    return { manifest, dir: out, dropped: plan.dropped };
  } catch (err) {
    await fs.rm(tmp, { recursive: true, force: true }).catch(() => {});
    throw ioError(err, `Packing into ${out}`);
  } finally {
    for (const fh of handles.values()) await fh.close().catch(() => {});
    await lock.release().catch(() => {});
  }
}

/** `out` may be replaced when absent, empty, or a previous pack (holds a manifest). */
async function assertReplaceable(fs: PackFs, out: string): Promise<void> {
  let names: string[];
  try {
    names = await fs.readdir(out);
  } catch (err) {
    if ((err as { code?: string }).code === 'ENOENT') return;
    throw ioError(err, `Reading ${out}`);
  }
  if (names.length > 0 && !names.includes(MANIFEST_FILE)) {
    throw new VirtualTensorError(
      'IO_ERROR',
      `${out} exists and is not a packed model; refusing to replace it.`,
      {
        meta: { code: 'ENOTEMPTY' },
      },
    );
  }
}

/** Renames `tmp` to `out`, moving a previous `out` aside first and deleting it afterwards. */
async function swapIntoPlace(fs: PackFs, tmp: string, out: string): Promise<void> {
  await assertReplaceable(fs, out);
  const old = `${out}.old-${randomBytes(4).toString('hex')}`;
  let moved = false;
  try {
    await fs.rename(out, old);
    moved = true;
  } catch (err) {
    if ((err as { code?: string }).code !== 'ENOENT') throw err;
  }
  try {
    await fs.rename(tmp, out);
  } catch (err) {
    if (moved) await fs.rename(old, out).catch(() => {});
    throw err;
  }
  if (moved) await fs.rm(old, { recursive: true, force: true });
}
