import { quantizeInt8 } from '../quantize/quantizeInt8';

/**
 * MatMulNBits accuracy level 4: activations are quantised to int8 per block and the
 * product runs in int8 (MLAS fast path). Level 0 (fp32 compute) dequantises the
 * whole weight on every call and measured 150× slower on CPU.
 */
const INT8_ACCURACY_LEVEL = 4;

import type { StageContext } from './family';
import { getWeight } from './weights';

/** Registers an HF weight as a graph parameter after checking its shape. */
export function weight(ctx: StageContext, name: string, shape: number[], prefixes: string[]): string {
  const w = getWeight(ctx.weights, name, shape, prefixes);
  return ctx.b.param(name, shape, w.data);
}

/**
 * A projection y = x·W (+ b) of an HF weight: `in_out` layout is [in, out]
 * (GPT-2 Conv1D), `out_in` is [out, in] (nn.Linear, tied heads). With
 * `weightFormat: 'int8'` the weight is quantised blockwise into MatMulNBits.
 */
export function projection(
  ctx: StageContext,
  x: string,
  name: string,
  shape: number[],
  layout: 'in_out' | 'out_in',
  prefixes: string[],
  bias?: string,
): string {
  const { b } = ctx;
  let y: string;
  if (ctx.weightFormat === 'int8') {
    const q = quantizeInt8(getWeight(ctx.weights, name, shape, prefixes).data, shape, layout);
    const nBlocks = Math.ceil(q.K / q.blockSize);
    const qb = b.constBytes(`${name}.q8`, q.data, [q.N, nBlocks, q.blockSize]);
    const sc = b.constFloat(q.scales, [q.N * nBlocks]);
    y = b.op('MatMulNBits', [x, qb, sc], {
      K: q.K,
      N: q.N,
      bits: 8,
      block_size: q.blockSize,
      accuracy_level: INT8_ACCURACY_LEVEL,
    });
  } else {
    const w = weight(ctx, name, shape, prefixes);
    y = b.matmul(x, layout === 'in_out' ? w : b.transpose(w, [1, 0]));
  }
  return bias ? b.add(y, bias) : y;
}

/** RMSNorm as plain ops: x · 1/sqrt(mean(x²) + eps) · w (float32, as HF computes it). */
export function rmsNorm(ctx: StageContext, x: string, w: string): string {
  const { b } = ctx;
  const ms = b.op('ReduceMean', [b.mul(x, x), b.constInt([-1])], { keepdims: 1 });
  const inv = b.op('Reciprocal', [b.op('Sqrt', [b.add(ms, b.constFloat([ctx.cfg.normEps], []))])]);
  return b.mul(b.mul(x, inv), w);
}

/** x·cos + rotate_half(x)·sin, rotate_half(x) = [-x₂, x₁] over the two halves of head_dim. */
export function applyRope(ctx: StageContext, x: string): string {
  const { b } = ctx;
  const half = ctx.cfg.headDim / 2;
  const x1 = b.slice(x, -1, 0, half);
  const x2 = b.slice(x, -1, half, ctx.cfg.headDim);
  const rotated = b.op('Concat', [b.op('Neg', [x2]), x1], { axis: -1 });
  return b.add(b.mul(x, ctx.rope!.cos), b.mul(rotated, ctx.rope!.sin));
}

/**
 * Causal grouped-query attention with a KV cache.
 * q: [B, S, H·hd], k/v: [B, S, Hkv·hd]; past K/V: [B, Hkv, P, hd].
 * Query heads are grouped as [Hkv, g] so each group shares one K/V head
 * through MatMul broadcasting, without materialising repeated K/V.
 */
export function attention(
  ctx: StageContext,
  q: string,
  k: string,
  v: string,
  past: { key: string; value: string },
  rope: boolean,
): { out: string; presentKey: string; presentValue: string } {
  const { b, cfg } = ctx;
  const { numHeads: H, numKvHeads: Hkv, headDim: hd } = cfg;
  const g = H / Hkv;
  let qh = b.transpose(b.reshape(q, [0, 0, H, hd]), [0, 2, 1, 3]);
  let kh = b.transpose(b.reshape(k, [0, 0, Hkv, hd]), [0, 2, 1, 3]);
  const vh = b.transpose(b.reshape(v, [0, 0, Hkv, hd]), [0, 2, 1, 3]);
  if (rope) {
    qh = applyRope(ctx, qh);
    kh = applyRope(ctx, kh);
  }
  const presentKey = b.op('Concat', [past.key, kh], { axis: 2 });
  const presentValue = b.op('Concat', [past.value, vh], { axis: 2 });
  const q5 = b.reshape(qh, [0, Hkv, g, -1, hd]);
  const kT5 = b.transpose(b.unsqueeze(presentKey, [2]), [0, 1, 2, 4, 3]);
  const v5 = b.unsqueeze(presentValue, [2]);
  const scores = b.add(b.mul(b.matmul(q5, kT5), b.constFloat([1 / Math.sqrt(hd)], [])), ctx.bias5);
  const probs = b.op('Softmax', [scores], { axis: -1 });
  const o = b.reshape(b.matmul(probs, v5), [0, H, -1, hd]);
  const out = b.reshape(b.transpose(o, [0, 2, 1, 3]), [0, 0, H * hd]);
  return { out, presentKey, presentValue };
}
