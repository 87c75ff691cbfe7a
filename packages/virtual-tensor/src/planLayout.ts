import { CHUNK_SIZE_TOLERANCE, DEFAULT_CHUNK_BYTES, TENSOR_ALIGN } from './constants';
import { byteLength, type DType } from './dtype';
import { VirtualTensorError } from './errors';
import { stagePosition, type TensorGroup } from './tensorGroups';

/** A tensor to place: its bytes are `byteLength(dtype, shape)`. */
export interface LayoutInput {
  name: string;
  dtype: DType;
  shape: number[];
  group: TensorGroup;
  layer?: number;
}

/** One contiguous piece of a tensor inside a chunk. */
export interface Segment {
  chunk: number;
  /** byte offset inside the chunk; a multiple of 64 for a tensor's first segment */
  offset: number;
  /** bytes */
  length: number;
}

/** A placed tensor. */
export interface PlacedTensor extends LayoutInput {
  /** bytes */
  byteLength: number;
  /** segments in tensor byte order; their lengths sum to `byteLength` */
  segments: Segment[];
}

/** A planned chunk. */
export interface PlannedChunk {
  id: number;
  /** bytes, including alignment padding */
  bytes: number;
  /** first and last stage position covered: embeddings = -1, blocks 0…L-1, head = L */
  layers: [first: number, last: number];
}

/** Result of {@link planLayout}. */
export interface ChunkLayout {
  tensors: PlacedTensor[];
  chunks: PlannedChunk[];
  /** sum of chunk bytes */
  totalBytes: number;
}

/** How to size chunks: a count, or a target size (count = ⌈total / target⌉). Default: target 96 MB. */
export interface PlanOptions {
  /** number of chunks, near-equal in size */
  chunks?: number;
  /** target chunk size. bytes */
  chunkBytes?: number;
}

const alignUp = (n: number, a: number) => Math.ceil(n / a) * a;

/** Index of the element of sorted `xs` nearest to `x` within `[lo, hi]`, or -1. */
function nearestWithin(xs: readonly number[], x: number, lo: number, hi: number): number {
  let a = 0;
  let b = xs.length;
  while (a < b) {
    const m = (a + b) >>> 1;
    if (xs[m]! < x) a = m + 1;
    else b = m;
  }
  let best = -1;
  for (const i of [a - 1, a]) {
    const v = xs[i];
    if (v === undefined || v < lo || v > hi) continue;
    if (best < 0 || Math.abs(v - x) < Math.abs(xs[best]! - x)) best = i;
  }
  return best;
}

/** Resolves the chunk count for `total` bytes. */
export function chunkCount(total: number, opts: PlanOptions = {}): number {
  if (opts.chunks !== undefined && opts.chunkBytes !== undefined) {
    throw new VirtualTensorError('PLAN_INVALID', 'Give either a chunk count or a chunk size, not both.');
  }
  if (opts.chunks !== undefined) {
    if (!Number.isSafeInteger(opts.chunks) || opts.chunks < 1) {
      throw new VirtualTensorError('PLAN_INVALID', 'Chunk count must be a positive integer.', {
        meta: { chunks: opts.chunks },
      });
    }
    return opts.chunks;
  }
  const target = opts.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!Number.isFinite(target) || target < TENSOR_ALIGN) {
    throw new VirtualTensorError('PLAN_INVALID', `Chunk size must be at least ${TENSOR_ALIGN} bytes.`, {
      meta: { chunkBytes: target },
    });
  }
  return Math.max(1, Math.ceil(total / target));
}

/**
 * Lays tensors out in the given order as one byte stream (each tensor
 * starting 64-byte aligned) and cuts that stream into near-equal chunks.
 *
 * Cut points are the ideal `k · total / N`, moved to the nearest block
 * boundary, else the nearest tensor boundary, when one lies within 4% of the
 * mean chunk size; otherwise the cut splits a tensor at a 64-byte multiple.
 * Chunk sizes therefore stay within ±10% of the mean once the mean is above
 * ~2 KB. Tensors may span chunks.
 * @throws VirtualTensorError `PLAN_INVALID` when the options cannot be met.
 */
export function planLayout(
  inputs: readonly LayoutInput[],
  numLayers: number,
  opts: PlanOptions = {},
): ChunkLayout {
  const starts: number[] = [];
  const layerStarts: number[] = [];
  let pos = 0;
  let prevStage: number | undefined;
  for (const t of inputs) {
    pos = alignUp(pos, TENSOR_ALIGN);
    starts.push(pos);
    const stage = stagePosition(t, numLayers);
    if (prevStage !== undefined && stage !== prevStage && pos > 0) layerStarts.push(pos);
    prevStage = stage;
    pos += byteLength(t.dtype, t.shape);
  }
  const total = pos;
  const n = chunkCount(total, opts);
  if (total === 0 || n * TENSOR_ALIGN > total) {
    throw new VirtualTensorError('PLAN_INVALID', `Cannot cut ${total} bytes into ${n} chunks.`, {
      details: `Each chunk needs at least ${TENSOR_ALIGN} bytes.`,
      meta: { totalBytes: total, chunks: n },
    });
  }
  const mean = total / n;
  const window = CHUNK_SIZE_TOLERANCE * 0.4 * mean;
  const cuts: number[] = [0];
  for (let k = 1; k < n; k++) {
    const ideal = (k * total) / n;
    const prev = cuts[cuts.length - 1]!;
    const lo = Math.max(prev + TENSOR_ALIGN, ideal - window);
    const hi = Math.min(total - (n - k) * TENSOR_ALIGN, ideal + window);
    let cut: number;
    const li = nearestWithin(layerStarts, ideal, lo, hi);
    const ti = li < 0 ? nearestWithin(starts, ideal, lo, hi) : -1;
    if (li >= 0) cut = layerStarts[li]!;
    else if (ti >= 0) cut = starts[ti]!;
    else {
      const last = Math.floor((total - (n - k) * TENSOR_ALIGN) / TENSOR_ALIGN) * TENSOR_ALIGN;
      cut = Math.min(Math.max(Math.round(ideal / TENSOR_ALIGN) * TENSOR_ALIGN, prev + TENSOR_ALIGN), last);
    }
    cuts.push(cut);
  }
  cuts.push(total);

  const chunks: PlannedChunk[] = [];
  for (let c = 0; c < n; c++) {
    chunks.push({
      id: c,
      bytes: cuts[c + 1]! - cuts[c]!,
      layers: [Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY],
    });
  }
  const tensors: PlacedTensor[] = [];
  let c = 0; // chunk holding the current stream position; tensors are visited in stream order
  inputs.forEach((t, i) => {
    const start = starts[i]!;
    const len = byteLength(t.dtype, t.shape);
    const end = start + len;
    const stage = stagePosition(t, numLayers);
    while (c < n - 1 && cuts[c + 1]! <= start) c++;
    const segments: Segment[] = [];
    let p = start;
    for (;;) {
      const segEnd = Math.min(end, cuts[c + 1]!);
      segments.push({ chunk: c, offset: p - cuts[c]!, length: segEnd - p });
      const ch = chunks[c]!;
      ch.layers = [Math.min(ch.layers[0], stage), Math.max(ch.layers[1], stage)];
      p = segEnd;
      if (p >= end) break;
      c++;
    }
    tensors.push({ ...t, shape: [...t.shape], byteLength: len, segments });
  });
  for (const ch of chunks) {
    // a chunk holding only padding takes the stage of its neighbour
    if (!Number.isFinite(ch.layers[0]))
      ch.layers = ch.id > 0 ? [chunks[ch.id - 1]!.layers[1], chunks[ch.id - 1]!.layers[1]] : [-1, -1];
  }
  return { tensors, chunks, totalBytes: total };
}
