import { MANIFEST_FORMAT, MANIFEST_FORMAT_VERSION } from './constants';
import type { DType } from './dtype';
import { buildLayerIndex } from './layerIndex';
import type { Manifest, ManifestTensor } from './manifestSchema';
import type { ModelConfig } from './modelConfig';
import type { ChunkLayout } from './planLayout';

/** File name (and store key) of chunk `id`: `chunk-00007.bin`. */
export function chunkFileName(id: number): string {
  return `chunk-${String(id).padStart(5, '0')}.bin`;
}

/**
 * Assembles a manifest from a chunk layout and the sha256 (lowercase hex) of
 * each chunk's bytes.
 */
export function buildManifest(args: {
  model: ModelConfig;
  layout: ChunkLayout;
  sha256: readonly string[];
  metadata?: Record<string, string>;
}): Manifest {
  const { model, layout } = args;
  const tensors: ManifestTensor[] = layout.tensors.map((t) => ({
    name: t.name,
    dtype: t.dtype,
    shape: [...t.shape],
    group: t.group,
    ...(t.group === 'layer' ? { layer: t.layer! } : {}),
    segments: t.segments.map((s) => ({ ...s })),
  }));
  const counts = new Map<DType, number>();
  let params = 0;
  for (const t of layout.tensors) {
    const n = t.shape.reduce((p, d) => p * d, 1);
    params += n;
    counts.set(t.dtype, (counts.get(t.dtype) ?? 0) + n);
  }
  const dtype = [...counts.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'f32';
  return {
    format: MANIFEST_FORMAT,
    version: MANIFEST_FORMAT_VERSION,
    model,
    dtype,
    params,
    totalBytes: layout.totalBytes,
    metadata: { ...(args.metadata ?? {}) },
    chunks: layout.chunks.map((c) => ({
      id: c.id,
      file: chunkFileName(c.id),
      bytes: c.bytes,
      sha256: args.sha256[c.id]!,
      layers: [c.layers[0], c.layers[1]],
    })),
    tensors,
    index: buildLayerIndex(tensors, model),
  };
}
