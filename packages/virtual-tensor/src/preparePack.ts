import { packedDType } from './convertBytes';
import { byteLength, type DType, type FloatDType, itemSize } from './dtype';
import { VirtualTensorError } from './errors';
import type { ModelConfig } from './modelConfig';
import { canonicalOrder, modelTensors } from './modelTensors';
import { type ChunkLayout, type LayoutInput, type PlanOptions, planLayout } from './planLayout';
import { classifyTensorName, isNonParameterBuffer } from './tensorGroups';

/** A checkpoint tensor before packing. */
export interface SourceTensorInfo {
  name: string;
  dtype: DType;
  shape: number[];
}

/** Options shared by the packers. */
export interface PackLayoutOptions extends PlanOptions {
  /** convert floating-point tensors to this dtype (default: keep) */
  dtype?: FloatDType;
  /** keep causal-mask / rotary buffers that are dropped by default */
  keepBuffers?: boolean;
}

/** What a packer writes: the layout plus, per tensor, its source dtype. */
export interface PackPlan {
  layout: ChunkLayout;
  /** source dtype per tensor name */
  sourceDType: Map<string, DType>;
  /** tensors dropped as non-parameter buffers */
  dropped: string[];
}

/**
 * Checks checkpoint tensors against `config` (every tensor the config implies
 * must exist with its shape; no block index beyond `numLayers`), drops
 * non-parameter buffers, orders tensors canonically and plans the chunks.
 * @throws VirtualTensorError `CONFIG_INVALID`, `PLAN_INVALID`
 */
export function preparePack(
  sources: readonly SourceTensorInfo[],
  config: ModelConfig,
  opts: PackLayoutOptions = {},
): PackPlan {
  const dropped: string[] = [];
  const kept = sources.filter((t) => {
    const drop = !opts.keepBuffers && isNonParameterBuffer(t.name, t.shape);
    if (drop) dropped.push(t.name);
    return !drop;
  });
  const have = new Map<string, SourceTensorInfo>();
  for (const t of kept) {
    const r = classifyTensorName(t.name);
    if (r.group === 'layer' && r.layer! >= config.numLayers) {
      throw new VirtualTensorError(
        'CONFIG_INVALID',
        `Tensor "${t.name}" is in block ${r.layer} but the config has ${config.numLayers} layers.`,
      );
    }
    have.set(`${r.group}:${r.layer ?? ''}:${r.local}`, t);
  }
  const missing: string[] = [];
  for (const spec of modelTensors(config)) {
    const r = classifyTensorName(spec.name);
    const t = have.get(`${r.group}:${r.layer ?? ''}:${r.local}`);
    if (!t) {
      missing.push(spec.name);
      continue;
    }
    if (t.shape.join(',') !== spec.shape.join(',')) {
      throw new VirtualTensorError(
        'CONFIG_INVALID',
        `Tensor "${t.name}" has shape [${t.shape.join(', ')}]; the config implies [${spec.shape.join(', ')}].`,
        {
          meta: { tensor: t.name },
        },
      );
    }
  }
  if (missing.length > 0) {
    throw new VirtualTensorError(
      'CONFIG_INVALID',
      `The checkpoint lacks ${missing.length} tensor(s) the config implies.`,
      {
        details: `Missing: ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}.`,
        meta: { missing },
      },
    );
  }
  const cmp = canonicalOrder(config);
  const ordered = [...kept].sort((a, b) => cmp(a.name, b.name));
  const sourceDType = new Map<string, DType>();
  const inputs: LayoutInput[] = ordered.map((t) => {
    sourceDType.set(t.name, t.dtype);
    const r = classifyTensorName(t.name);
    const dtype = packedDType(t.dtype, opts.dtype);
    byteLength(dtype, t.shape);
    return {
      name: t.name,
      dtype,
      shape: [...t.shape],
      group: r.group,
      ...(r.group === 'layer' ? { layer: r.layer! } : {}),
    };
  });
  const { dtype: _d, keepBuffers: _k, ...planOpts } = opts;
  return { layout: planLayout(inputs, config.numLayers, planOpts), sourceDType, dropped };
}

/** One piece of chunk content: bytes [srcStart, srcEnd) of a source tensor, converted into [dstOffset, …) of the chunk. */
export interface ChunkPiece {
  name: string;
  from: DType;
  to: DType;
  /** byte range in the source tensor's own dtype */
  srcStart: number;
  srcEnd: number;
  /** offset in the chunk. bytes */
  dstOffset: number;
  /** bytes in the chunk */
  dstLength: number;
}

/** Lists, per chunk, the source byte ranges that fill it. */
export function chunkPieces(plan: PackPlan): ChunkPiece[][] {
  const out: ChunkPiece[][] = plan.layout.chunks.map(() => []);
  for (const t of plan.layout.tensors) {
    const from = plan.sourceDType.get(t.name)!;
    const ratio = itemSize(from) / itemSize(t.dtype);
    let tOff = 0; // bytes into the packed tensor; a multiple of 64, hence of every item size
    for (const s of t.segments) {
      out[s.chunk]!.push({
        name: t.name,
        from,
        to: t.dtype,
        srcStart: tOff * ratio,
        srcEnd: (tOff + s.length) * ratio,
        dstOffset: s.offset,
        dstLength: s.length,
      });
      tOff += s.length;
    }
  }
  return out;
}
