import type { AttrValue } from '../ir/graph';
import { normAxis, type RefTensor, refTensor, size, strides } from './tensor';

/** numpy-style broadcast of two shapes. */
export function broadcastShape(a: readonly number[], b: readonly number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out = new Array<number>(rank);
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) throw new Error(`cannot broadcast [${a}] with [${b}]`);
    out[i] = da === 1 ? db : da;
  }
  return out;
}

/** Maps each flat index of `outShape` to the flat index in a tensor of `shape` broadcast to it. */
export function broadcastIndex(shape: readonly number[], outShape: readonly number[]): Int32Array {
  const n = size(outShape);
  const idx = new Int32Array(n);
  const rank = outShape.length;
  const inStr = strides(shape);
  const effStr = new Array<number>(rank).fill(0);
  for (let i = 0; i < shape.length; i++) {
    const o = rank - shape.length + i;
    effStr[o] = shape[i] === 1 ? 0 : inStr[i]!;
  }
  const outStr = strides(outShape);
  for (let f = 0; f < n; f++) {
    let rem = f;
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const q = Math.floor(rem / outStr[d]!);
      rem -= q * outStr[d]!;
      src += q * effStr[d]!;
    }
    idx[f] = src;
  }
  return idx;
}

function binary(a: RefTensor, b: RefTensor, f: (x: number, y: number) => number): RefTensor {
  const shape = broadcastShape(a.shape, b.shape);
  const ia = broadcastIndex(a.shape, shape);
  const ib = broadcastIndex(b.shape, shape);
  const out = refTensor(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[ia[i]!]!, b.data[ib[i]!]!);
  return out;
}

function unary(a: RefTensor, f: (x: number) => number): RefTensor {
  const out = refTensor(a.shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = f(a.data[i]!);
  return out;
}

const SQRT_2_OVER_PI = Math.sqrt(2 / Math.PI);

export function gelu(x: number, approximate: string): number {
  if (approximate === 'tanh') return 0.5 * x * (1 + Math.tanh(SQRT_2_OVER_PI * (x + 0.044715 * x * x * x)));
  return 0.5 * x * (1 + erf(x / Math.SQRT2));
}

/** erf to ~1e-15 via a continued series (Abramowitz–Stegun 7.1.26 is too coarse for a reference). */
function erf(x: number): number {
  const t = Math.abs(x);
  if (t > 6) return Math.sign(x);
  // Maclaurin series converges quickly for |x| <= 6 in float64.
  let sum = t;
  let term = t;
  for (let n = 1; n < 200; n++) {
    term *= (-t * t) / n;
    const add = term / (2 * n + 1);
    sum += add;
    if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
  }
  return Math.sign(x) * ((2 / Math.sqrt(Math.PI)) * sum);
}

function matmul(a: RefTensor, b: RefTensor): RefTensor {
  if (a.shape.length < 2 || b.shape.length < 2) throw new Error('MatMul reference needs rank >= 2');
  const m = a.shape[a.shape.length - 2]!;
  const k = a.shape[a.shape.length - 1]!;
  const k2 = b.shape[b.shape.length - 2]!;
  const n = b.shape[b.shape.length - 1]!;
  if (k !== k2) throw new Error(`MatMul inner dims ${k} != ${k2}`);
  const batch = broadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const nb = size(batch);
  const ia = broadcastIndex(a.shape.slice(0, -2), batch);
  const ib = broadcastIndex(b.shape.slice(0, -2), batch);
  const out = refTensor([...batch, m, n]);
  for (let bi = 0; bi < nb; bi++) {
    const ao = ia[bi]! * m * k;
    const bo = ib[bi]! * k * n;
    const oo = bi * m * n;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += a.data[ao + i * k + p]! * b.data[bo + p * n + j]!;
        out.data[oo + i * n + j] = s;
      }
    }
  }
  return out;
}

function gather(data: RefTensor, indices: RefTensor, axis: number): RefTensor {
  const ax = normAxis(axis, data.shape.length);
  const outer = size(data.shape.slice(0, ax));
  const dimAx = data.shape[ax]!;
  const inner = size(data.shape.slice(ax + 1));
  const ni = indices.data.length;
  const out = refTensor([...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)]);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < ni; i++) {
      let idx = indices.data[i]!;
      if (idx < 0) idx += dimAx;
      if (idx < 0 || idx >= dimAx)
        throw new Error(`Gather index ${indices.data[i]} out of range [0, ${dimAx})`);
      const src = (o * dimAx + idx) * inner;
      out.data.set(data.data.subarray(src, src + inner), (o * ni + i) * inner);
    }
  }
  return out;
}

/** Applies `f` to every 1-D lane along `axis`. */
function lanes(x: RefTensor, axis: number, f: (lane: Float64Array) => void): RefTensor {
  const ax = normAxis(axis, x.shape.length);
  const outer = size(x.shape.slice(0, ax));
  const len = x.shape[ax]!;
  const inner = size(x.shape.slice(ax + 1));
  const out = refTensor(x.shape, x.data);
  const lane = new Float64Array(len);
  for (let o = 0; o < outer; o++) {
    for (let i = 0; i < inner; i++) {
      const base = o * len * inner + i;
      for (let j = 0; j < len; j++) lane[j] = out.data[base + j * inner]!;
      f(lane);
      for (let j = 0; j < len; j++) out.data[base + j * inner] = lane[j]!;
    }
  }
  return out;
}

function softmaxLane(lane: Float64Array): void {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of lane) if (v > max) max = v;
  let sum = 0;
  for (let j = 0; j < lane.length; j++) {
    lane[j] = Math.exp(lane[j]! - max);
    sum += lane[j]!;
  }
  for (let j = 0; j < lane.length; j++) lane[j]! /= sum;
}

function layerNorm(x: RefTensor, scale: RefTensor, bias: RefTensor | undefined, eps: number): RefTensor {
  const d = x.shape[x.shape.length - 1]!;
  const out = refTensor(x.shape);
  for (let r = 0; r < x.data.length / d; r++) {
    let mean = 0;
    for (let j = 0; j < d; j++) mean += x.data[r * d + j]!;
    mean /= d;
    let v = 0;
    for (let j = 0; j < d; j++) v += (x.data[r * d + j]! - mean) ** 2;
    const inv = 1 / Math.sqrt(v / d + eps);
    for (let j = 0; j < d; j++) {
      out.data[r * d + j] = (x.data[r * d + j]! - mean) * inv * scale.data[j]! + (bias ? bias.data[j]! : 0);
    }
  }
  return out;
}

function reduce(x: RefTensor, axesT: RefTensor | undefined, keepdims: boolean, mean: boolean): RefTensor {
  const rank = x.shape.length;
  const axes = axesT ? Array.from(axesT.data, (a) => normAxis(a, rank)) : x.shape.map((_, i) => i);
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = refTensor(outShape);
  const idx = broadcastIndex(outShape, x.shape);
  for (let i = 0; i < x.data.length; i++) out.data[idx[i]!]! += x.data[i]!;
  if (mean) {
    const n = x.data.length / out.data.length;
    for (let i = 0; i < out.data.length; i++) out.data[i]! /= n;
  }
  if (!keepdims) out.shape = x.shape.filter((_, i) => !axes.includes(i));
  return out;
}

function transpose(x: RefTensor, perm: number[]): RefTensor {
  const rank = x.shape.length;
  const outShape = perm.map((p) => x.shape[p]!);
  const inStr = strides(x.shape);
  const outStr = strides(outShape);
  const out = refTensor(outShape);
  for (let f = 0; f < out.data.length; f++) {
    let rem = f;
    let src = 0;
    for (let d = 0; d < rank; d++) {
      const q = Math.floor(rem / outStr[d]!);
      rem -= q * outStr[d]!;
      src += q * inStr[perm[d]!]!;
    }
    out.data[f] = x.data[src]!;
  }
  return out;
}

function reshape(x: RefTensor, shapeT: RefTensor): RefTensor {
  const target = Array.from(shapeT.data, (d, i) => (d === 0 ? x.shape[i]! : d));
  const known = target.reduce((a, d) => (d === -1 ? a : a * d), 1);
  const shape = target.map((d) => (d === -1 ? x.data.length / known : d));
  if (size(shape) !== x.data.length) throw new Error(`Reshape [${x.shape}] -> [${shape}] changes size`);
  return { shape, data: x.data };
}

function concat(xs: RefTensor[], axis: number): RefTensor {
  const first = xs[0]!;
  const ax = normAxis(axis, first.shape.length);
  const outer = size(first.shape.slice(0, ax));
  const inner = size(first.shape.slice(ax + 1));
  const total = xs.reduce((a, t) => a + t.shape[ax]!, 0);
  const out = refTensor([...first.shape.slice(0, ax), total, ...first.shape.slice(ax + 1)]);
  for (let o = 0; o < outer; o++) {
    let off = 0;
    for (const t of xs) {
      const len = t.shape[ax]! * inner;
      out.data.set(t.data.subarray(o * len, o * len + len), o * total * inner + off);
      off += len;
    }
  }
  return out;
}

function slice(x: RefTensor, starts: RefTensor, ends: RefTensor, axesT?: RefTensor): RefTensor {
  const rank = x.shape.length;
  const begin = new Array<number>(rank).fill(0);
  const stop = [...x.shape];
  const axes = axesT ? Array.from(axesT.data) : Array.from(starts.data, (_, i) => i);
  axes.forEach((a, i) => {
    const ax = normAxis(a, rank);
    const dim = x.shape[ax]!;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
    begin[ax] = clamp(starts.data[i]!);
    stop[ax] = clamp(ends.data[i]!);
  });
  const outShape = x.shape.map((_, i) => Math.max(stop[i]! - begin[i]!, 0));
  const out = refTensor(outShape);
  const idx = windowIndex(outShape, x.shape, begin);
  for (let f = 0; f < out.data.length; f++) out.data[f] = x.data[idx[f]!]!;
  return out;
}

/** Flat indices, in a tensor of shape `big`, of each element of a `small`-shaped window placed at `offset`. */
function windowIndex(
  small: readonly number[],
  big: readonly number[],
  offset: readonly number[],
): Int32Array {
  const smallStr = strides(small);
  const bigStr = strides(big);
  const idx = new Int32Array(size(small));
  for (let f = 0; f < idx.length; f++) {
    let rem = f;
    let at = 0;
    for (let d = 0; d < small.length; d++) {
      const q = Math.floor(rem / smallStr[d]!);
      rem -= q * smallStr[d]!;
      at += (q + offset[d]!) * bigStr[d]!;
    }
    idx[f] = at;
  }
  return idx;
}

function unsqueeze(x: RefTensor, axesT: RefTensor): RefTensor {
  const rank = x.shape.length + axesT.data.length;
  const axes = Array.from(axesT.data, (a) => normAxis(a, rank)).sort((a, b) => a - b);
  const shape = [...x.shape];
  for (const a of axes) shape.splice(a, 0, 1);
  return { shape, data: x.data };
}

/**
 * com.microsoft MatMulNBits (8-bit, no zero-point input: zero point 2^(bits-1)):
 * B is [N, ceil(K/block), block] uint8, scales [N·ceil(K/block)]; y = x · dequant(B)ᵀ.
 * With `accuracy_level` 4 the activations are also quantised, per row and block,
 * to int8 with scale max|x|/127 (round half to even), as ONNX Runtime's MLAS kernel does.
 */
function matMulNBits(a: RefTensor, qb: RefTensor, scales: RefTensor, attrs: Attrs): RefTensor {
  const K = attrs.K as number;
  const N = attrs.N as number;
  const block = attrs.block_size as number;
  if ((attrs.bits as number) !== 8) throw new Error('reference MatMulNBits supports 8-bit weights only');
  const int8Activations = (attrs.accuracy_level as number | undefined) === 4;
  const nBlocks = Math.ceil(K / block);
  const M = a.data.length / K;
  const out = refTensor([...a.shape.slice(0, -1), N]);
  const xq = new Float64Array(K);
  const xs = new Float64Array(nBlocks).fill(1);
  for (let m = 0; m < M; m++) {
    const row = a.data.subarray(m * K, (m + 1) * K);
    xq.set(row);
    if (int8Activations) {
      for (let blk = 0; blk < nBlocks; blk++) {
        let max = 0;
        for (let k = blk * block; k < Math.min(K, (blk + 1) * block); k++)
          max = Math.max(max, Math.abs(Math.fround(row[k]!)));
        const scale = Math.fround(max / 127);
        const inv = scale ? Math.fround(1 / scale) : 0;
        xs[blk] = scale;
        for (let k = blk * block; k < Math.min(K, (blk + 1) * block); k++)
          xq[k] = roundHalfEven(Math.fround(row[k]! * inv));
      }
    }
    for (let n = 0; n < N; n++) {
      let acc = 0;
      for (let blk = 0; blk < nBlocks; blk++) {
        let dot = 0;
        const base = (n * nBlocks + blk) * block;
        for (let k = blk * block; k < Math.min(K, (blk + 1) * block); k++)
          dot += xq[k]! * (qb.data[base + k - blk * block]! - 128);
        acc += dot * scales.data[n * nBlocks + blk]! * xs[blk]!;
      }
      out.data[m * N + n] = acc;
    }
  }
  return out;
}

function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

type Attrs = Record<string, AttrValue>;
const num = (attrs: Attrs, k: string, dflt: number): number => (attrs[k] as number | undefined) ?? dflt;

/** Reference semantics of every IR op (ONNX opset 20), in float64. */
export function runOp(op: string, ins: (RefTensor | undefined)[], attrs: Attrs): RefTensor {
  const a = ins[0]!;
  const b = ins[1]!;
  switch (op) {
    case 'Add':
      return binary(a, b, (x, y) => x + y);
    case 'Sub':
      return binary(a, b, (x, y) => x - y);
    case 'Mul':
      return binary(a, b, (x, y) => x * y);
    case 'Div':
      return binary(a, b, (x, y) => x / y);
    case 'Neg':
      return unary(a, (x) => -x);
    case 'Sqrt':
      return unary(a, Math.sqrt);
    case 'Reciprocal':
      return unary(a, (x) => 1 / x);
    case 'Exp':
      return unary(a, Math.exp);
    case 'Log':
      return unary(a, Math.log);
    case 'Tanh':
      return unary(a, Math.tanh);
    case 'Sigmoid':
      return unary(a, (x) => 1 / (1 + Math.exp(-x)));
    case 'Gelu': {
      const approx = (attrs.approximate as string | undefined) ?? 'none';
      return unary(a, (x) => gelu(x, approx));
    }
    case 'MatMul':
      return matmul(a, b);
    case 'Gather':
      return gather(a, b, num(attrs, 'axis', 0));
    case 'Softmax':
      return lanes(a, num(attrs, 'axis', -1), softmaxLane);
    case 'LayerNormalization':
      return layerNorm(a, b, ins[2], num(attrs, 'epsilon', 1e-5));
    case 'ReduceMean':
      return reduce(a, ins[1], num(attrs, 'keepdims', 1) === 1, true);
    case 'ReduceSum':
      return reduce(a, ins[1], num(attrs, 'keepdims', 1) === 1, false);
    case 'Transpose':
      return transpose(a, attrs.perm as number[]);
    case 'Reshape':
      return reshape(a, b);
    case 'Concat':
      return concat(ins as RefTensor[], num(attrs, 'axis', 0));
    case 'Slice':
      return slice(a, b, ins[2]!, ins[3]);
    case 'Unsqueeze':
      return unsqueeze(a, b);
    case 'Identity':
      return a;
    case 'Shape': {
      const rank = a.shape.length;
      const start = normAxis((attrs.start as number | undefined) ?? 0, rank);
      const end = attrs.end === undefined ? rank : normAxis(attrs.end as number, rank);
      const dims = a.shape.slice(start, end);
      return refTensor([dims.length], dims);
    }
    case 'Range': {
      const start = a.data[0]!;
      const delta = ins[2]!.data[0]!;
      const n = Math.max(Math.ceil((b.data[0]! - start) / delta), 0);
      return refTensor(
        [n],
        Array.from({ length: n }, (_, i) => start + i * delta),
      );
    }
    case 'Relu':
      return unary(a, (x) => Math.max(x, 0));
    case 'MatMulNBits':
      return matMulNBits(a, b, ins[2]!, attrs);
    case 'Erf':
      return unary(a, erf);
    case 'Equal':
      return binary(a, b, (x, y) => (x === y ? 1 : 0));
    case 'Not':
      return unary(a, (x) => (x === 0 ? 1 : 0));
    case 'Where':
      return where(a, b, ins[2]!);
    case 'Cast':
      return cast(a, num(attrs, 'to', CAST_FLOAT));
    case 'Expand':
      return expand(a, b);
    case 'ConstantOfShape':
      return refTensor(Array.from(a.data));
    case 'Pad':
      return pad(a, b, ins[2], ins[3], (attrs.mode as string | undefined) ?? 'constant');
    case 'ReduceMax':
      return reduceMax(a, ins[1], num(attrs, 'keepdims', 1) === 1);
    case 'GatherElements':
      return gatherElements(a, b, num(attrs, 'axis', 0));
    case 'ScatterElements':
      return scatterElements(a, b, ins[2]!, num(attrs, 'axis', 0), reduction(attrs));
    case 'ScatterND':
      return scatterNd(a, b, ins[2]!, reduction(attrs));
    default:
      throw new Error(`reference executor has no op ${op}`);
  }
}

// ---- Ops added for training graphs (ONNX opset 20 semantics). ----

/** ONNX TensorProto.DataType codes accepted by the reference `Cast`. */
const CAST_FLOAT = 1;
const CAST_INT64 = 7;
const CAST_BOOL = 9;

function reduction(attrs: Attrs): 'none' | 'add' {
  const r = (attrs.reduction as string | undefined) ?? 'none';
  if (r !== 'none' && r !== 'add')
    throw new Error(`reference executor supports reduction none|add, got ${r}`);
  return r;
}

function where(cond: RefTensor, x: RefTensor, y: RefTensor): RefTensor {
  const shape = broadcastShape(broadcastShape(cond.shape, x.shape), y.shape);
  const ic = broadcastIndex(cond.shape, shape);
  const ix = broadcastIndex(x.shape, shape);
  const iy = broadcastIndex(y.shape, shape);
  const out = refTensor(shape);
  for (let i = 0; i < out.data.length; i++) {
    out.data[i] = cond.data[ic[i]!]! !== 0 ? x.data[ix[i]!]! : y.data[iy[i]!]!;
  }
  return out;
}

function cast(x: RefTensor, to: number): RefTensor {
  // Float storage is float64 throughout the reference, so FLOAT keeps the value.
  if (to === CAST_FLOAT) return { shape: [...x.shape], data: Float64Array.from(x.data) };
  if (to === CAST_INT64) return unary(x, Math.trunc);
  if (to === CAST_BOOL) return unary(x, (v) => (v !== 0 ? 1 : 0));
  throw new Error(`reference Cast supports to=1 (float), 7 (int64), 9 (bool); got ${to}`);
}

function expand(x: RefTensor, shapeT: RefTensor): RefTensor {
  const shape = broadcastShape(x.shape, Array.from(shapeT.data));
  const idx = broadcastIndex(x.shape, shape);
  const out = refTensor(shape);
  for (let i = 0; i < out.data.length; i++) out.data[i] = x.data[idx[i]!]!;
  return out;
}

function pad(
  x: RefTensor,
  padsT: RefTensor,
  value: RefTensor | undefined,
  axesT: RefTensor | undefined,
  mode: string,
): RefTensor {
  if (mode !== 'constant') throw new Error(`reference Pad supports mode=constant, got ${mode}`);
  const rank = x.shape.length;
  const axes = axesT ? Array.from(axesT.data, (a) => normAxis(a, rank)) : x.shape.map((_, i) => i);
  const before = new Array<number>(rank).fill(0);
  const after = new Array<number>(rank).fill(0);
  axes.forEach((ax, i) => {
    before[ax] = padsT.data[i]!;
    after[ax] = padsT.data[i + axes.length]!;
  });
  if ([...before, ...after].some((p) => p < 0))
    throw new Error('reference Pad does not crop (negative pads)');
  const outShape = x.shape.map((d, i) => d + before[i]! + after[i]!);
  const out = refTensor(outShape);
  if (value && value.data.length > 0 && value.data[0] !== 0) out.data.fill(value.data[0]!);
  const idx = windowIndex(x.shape, outShape, before);
  for (let f = 0; f < x.data.length; f++) out.data[idx[f]!] = x.data[f]!;
  return out;
}

function reduceMax(x: RefTensor, axesT: RefTensor | undefined, keepdims: boolean): RefTensor {
  const rank = x.shape.length;
  const axes =
    axesT && axesT.data.length > 0
      ? Array.from(axesT.data, (a) => normAxis(a, rank))
      : x.shape.map((_, i) => i);
  const outShape = x.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  const out = refTensor(outShape);
  out.data.fill(Number.NEGATIVE_INFINITY);
  const idx = broadcastIndex(outShape, x.shape);
  for (let i = 0; i < x.data.length; i++) {
    const v = x.data[i]!;
    const o = idx[i]!;
    if (v > out.data[o]! || Number.isNaN(v)) out.data[o] = v;
  }
  if (!keepdims) out.shape = x.shape.filter((_, i) => !axes.includes(i));
  return out;
}

/** Flat index in `shape` of the element at flat position `f` of `idxShape` with coordinate `axis` replaced by `at`. */
function elementsIndex(f: number, idxStr: number[], dataStr: number[], axis: number, at: number): number {
  let rem = f;
  let off = 0;
  for (let d = 0; d < idxStr.length; d++) {
    const q = Math.floor(rem / idxStr[d]!);
    rem -= q * idxStr[d]!;
    off += (d === axis ? at : q) * dataStr[d]!;
  }
  return off;
}

function checkedIndex(v: number, dim: number, op: string): number {
  const i = v < 0 ? v + dim : v;
  if (i < 0 || i >= dim) throw new Error(`${op} index ${v} out of range [0, ${dim})`);
  return i;
}

function gatherElements(data: RefTensor, indices: RefTensor, axis: number): RefTensor {
  const ax = normAxis(axis, data.shape.length);
  const out = refTensor(indices.shape);
  const idxStr = strides(indices.shape);
  const dataStr = strides(data.shape);
  for (let f = 0; f < out.data.length; f++) {
    const at = checkedIndex(indices.data[f]!, data.shape[ax]!, 'GatherElements');
    out.data[f] = data.data[elementsIndex(f, idxStr, dataStr, ax, at)]!;
  }
  return out;
}

function scatterElements(
  data: RefTensor,
  indices: RefTensor,
  updates: RefTensor,
  axis: number,
  red: 'none' | 'add',
): RefTensor {
  const ax = normAxis(axis, data.shape.length);
  const out = refTensor(data.shape, data.data);
  const idxStr = strides(indices.shape);
  const dataStr = strides(data.shape);
  for (let f = 0; f < indices.data.length; f++) {
    const at = checkedIndex(indices.data[f]!, data.shape[ax]!, 'ScatterElements');
    const o = elementsIndex(f, idxStr, dataStr, ax, at);
    out.data[o] = red === 'add' ? out.data[o]! + updates.data[f]! : updates.data[f]!;
  }
  return out;
}

function scatterNd(data: RefTensor, indices: RefTensor, updates: RefTensor, red: 'none' | 'add'): RefTensor {
  const k = indices.shape[indices.shape.length - 1]!;
  const n = indices.data.length / k;
  const dataStr = strides(data.shape);
  const inner = size(data.shape.slice(k));
  const out = refTensor(data.shape, data.data);
  for (let i = 0; i < n; i++) {
    let off = 0;
    for (let j = 0; j < k; j++)
      off += checkedIndex(indices.data[i * k + j]!, data.shape[j]!, 'ScatterND') * dataStr[j]!;
    for (let e = 0; e < inner; e++) {
      const u = updates.data[i * inner + e]!;
      out.data[off + e] = red === 'add' ? out.data[off + e]! + u : u;
    }
  }
  return out;
}
