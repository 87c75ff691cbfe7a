import { buildManifest, chunkFileName } from './buildManifest';
import { convertBytes } from './convertBytes';
import type { Manifest } from './manifestSchema';
import type { ModelConfig } from './modelConfig';
import { chunkPieces, type PackLayoutOptions, preparePack } from './preparePack';
import { sortedTensorEntries, type TensorEntry } from './safetensors';
import { type HashFn, sha256Hex } from './sha256';
import type { ChunkStore } from './stores/ChunkStore';

/** Options of {@link packTensors}. */
export interface PackTensorsOptions extends PackLayoutOptions {
  config: ModelConfig;
  /** safetensors-style metadata to keep in the manifest */
  metadata?: Record<string, string>;
  /** when given, every chunk is `put` here under its file name */
  store?: ChunkStore;
  hash?: HashFn;
}

/** Result of {@link packTensors}. */
export interface PackedModel {
  manifest: Manifest;
  /** chunk bytes by chunk id */
  chunks: Uint8Array[];
}

/**
 * Packs in-memory tensors (e.g. a parsed safetensors file) into chunks and a
 * manifest. Browser-safe; Node code packing files uses `packModel` from
 * `@ailo/virtual-tensor/node`, which streams instead of holding the model.
 * @throws VirtualTensorError `CONFIG_INVALID`, `PLAN_INVALID`, `SHAPE_MISMATCH`
 */
export async function packTensors(
  tensors: Iterable<readonly [string, TensorEntry]> | Record<string, TensorEntry>,
  opts: PackTensorsOptions,
): Promise<PackedModel> {
  const entries = new Map(sortedTensorEntries(tensors));
  const plan = preparePack(
    [...entries].map(([name, t]) => ({ name, dtype: t.dtype, shape: t.shape })),
    opts.config,
    opts,
  );
  const hash = opts.hash ?? sha256Hex;
  const pieces = chunkPieces(plan);
  const chunks: Uint8Array[] = [];
  const digests: string[] = [];
  for (const c of plan.layout.chunks) {
    const buf = new Uint8Array(c.bytes);
    for (const p of pieces[c.id]!) {
      const src = entries.get(p.name)!.data.subarray(p.srcStart, p.srcEnd);
      convertBytes(src, p.from, buf.subarray(p.dstOffset, p.dstOffset + p.dstLength), p.to);
    }
    chunks.push(buf);
    digests.push(await hash(buf));
    await opts.store?.put(chunkFileName(c.id), buf);
  }
  const manifest = buildManifest({
    model: opts.config,
    layout: plan.layout,
    sha256: digests,
    ...(opts.metadata ? { metadata: opts.metadata } : {}),
  });
  return { manifest, chunks };
}
