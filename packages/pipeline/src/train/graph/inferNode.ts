import type { AttrValue, OpType, ValueType } from '../../ir/graph';
import { broadcastShape } from '../../ref/ops';
import { normAxis, size } from '../../ref/tensor';

/** Element type of a value inside a training graph (`bool` only appears between ops). */
export type ElemType = ValueType | 'bool';

/** Static facts about one input of a node. `value` is known for small constants only. */
export interface InputFacts {
  shape: number[];
  type: ElemType;
  value?: number[];
}

/** ONNX TensorProto.DataType codes used by `Cast` (onnx.proto3 `DataType`). */
export const ONNX_FLOAT = 1;
export const ONNX_INT64 = 7;
export const ONNX_BOOL = 9;

const num = (attrs: Record<string, AttrValue>, k: string, d: number) => (attrs[k] as number | undefined) ?? d;

function constOf(f: InputFacts | undefined, what: string, op: string): number[] {
  if (!f?.value) throw new Error(`${op}: ${what} must be a constant for static shape inference`);
  return f.value;
}

function reduceAxes(x: InputFacts, axes: InputFacts | undefined, op: string): number[] {
  const rank = x.shape.length;
  if (!axes) return x.shape.map((_, i) => i);
  const v = constOf(axes, 'axes', op);
  return v.length === 0 ? x.shape.map((_, i) => i) : v.map((a) => normAxis(a, rank));
}

/** Normalised [start, end) of a step-1 ONNX Slice along one dimension of length `dim`. */
export function sliceBounds(start: number, end: number, dim: number): [number, number] {
  const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + dim : v, 0), dim);
  const s = clamp(start);
  return [s, Math.max(clamp(end), s)];
}

/**
 * Static output shape and element type of one op (ONNX opset 20 semantics),
 * given concrete input shapes. Shape-carrying inputs (Reshape shape, Slice
 * bounds, reduction axes…) must be constants.
 */
export function inferNode(
  op: OpType,
  ins: InputFacts[],
  attrs: Record<string, AttrValue>,
): { shape: number[]; type: ElemType } {
  const a = ins[0]!;
  const b = ins[1];
  switch (op) {
    case 'Add':
    case 'Sub':
    case 'Mul':
    case 'Div':
      return { shape: broadcastShape(a.shape, b!.shape), type: a.type };
    case 'Equal':
      return { shape: broadcastShape(a.shape, b!.shape), type: 'bool' };
    case 'Where':
      return { shape: broadcastShape(broadcastShape(a.shape, b!.shape), ins[2]!.shape), type: b!.type };
    case 'Neg':
    case 'Sqrt':
    case 'Reciprocal':
    case 'Exp':
    case 'Log':
    case 'Tanh':
    case 'Sigmoid':
    case 'Gelu':
    case 'Erf':
    case 'Softmax':
    case 'LayerNormalization':
    case 'Identity':
      return { shape: [...a.shape], type: a.type };
    case 'Not':
      return { shape: [...a.shape], type: 'bool' };
    case 'Cast': {
      const to = num(attrs, 'to', ONNX_FLOAT);
      const type: ElemType =
        to === ONNX_FLOAT ? 'float32' : to === ONNX_INT64 ? 'int64' : to === ONNX_BOOL ? 'bool' : 'float32';
      if (to !== ONNX_FLOAT && to !== ONNX_INT64 && to !== ONNX_BOOL)
        throw new Error(`Cast to ${to} is not supported`);
      return { shape: [...a.shape], type };
    }
    case 'MatMul': {
      if (a.shape.length < 2 || b!.shape.length < 2) throw new Error('MatMul operands must have rank >= 2');
      const k = a.shape[a.shape.length - 1]!;
      if (b!.shape[b!.shape.length - 2] !== k)
        throw new Error(`MatMul inner dims [${a.shape}] x [${b!.shape}]`);
      const batch = broadcastShape(a.shape.slice(0, -2), b!.shape.slice(0, -2));
      return {
        shape: [...batch, a.shape[a.shape.length - 2]!, b!.shape[b!.shape.length - 1]!],
        type: a.type,
      };
    }
    case 'Gather': {
      const ax = normAxis(num(attrs, 'axis', 0), a.shape.length);
      return { shape: [...a.shape.slice(0, ax), ...b!.shape, ...a.shape.slice(ax + 1)], type: a.type };
    }
    case 'GatherElements':
      return { shape: [...b!.shape], type: a.type };
    case 'ScatterElements':
    case 'ScatterND':
      return { shape: [...a.shape], type: a.type };
    case 'ReduceMean':
    case 'ReduceSum':
    case 'ReduceMax': {
      const axes = reduceAxes(a, b, op);
      const keep = num(attrs, 'keepdims', 1) === 1;
      const shape = keep
        ? a.shape.map((d, i) => (axes.includes(i) ? 1 : d))
        : a.shape.filter((_, i) => !axes.includes(i));
      return { shape, type: a.type };
    }
    case 'Transpose': {
      const perm = (attrs.perm as number[] | undefined) ?? a.shape.map((_, i) => a.shape.length - 1 - i);
      return { shape: perm.map((p) => a.shape[p]!), type: a.type };
    }
    case 'Reshape': {
      const target = constOf(b, 'shape', op).map((d, i) => (d === 0 ? a.shape[i]! : d));
      const known = target.reduce((acc, d) => (d === -1 ? acc : acc * d), 1);
      const shape = target.map((d) => (d === -1 ? size(a.shape) / known : d));
      if (size(shape) !== size(a.shape) || shape.some((d) => !Number.isInteger(d))) {
        throw new Error(`Reshape [${a.shape}] -> [${target}] changes the element count`);
      }
      return { shape, type: a.type };
    }
    case 'Concat': {
      const ax = normAxis(num(attrs, 'axis', 0), a.shape.length);
      const shape = [...a.shape];
      shape[ax] = ins.reduce((s, t) => s + t.shape[ax]!, 0);
      return { shape, type: a.type };
    }
    case 'Slice': {
      const starts = constOf(b, 'starts', op);
      const ends = constOf(ins[2], 'ends', op);
      const axes = ins[3] ? constOf(ins[3], 'axes', op) : starts.map((_, i) => i);
      if (ins[4] && constOf(ins[4], 'steps', op).some((s) => s !== 1))
        throw new Error('Slice steps other than 1 are not supported');
      const shape = [...a.shape];
      axes.forEach((axis, i) => {
        const ax = normAxis(axis, a.shape.length);
        const [s, e] = sliceBounds(starts[i]!, ends[i]!, a.shape[ax]!);
        shape[ax] = e - s;
      });
      return { shape, type: a.type };
    }
    case 'Unsqueeze': {
      const axes = constOf(b, 'axes', op);
      const rank = a.shape.length + axes.length;
      const shape = [...a.shape];
      for (const ax of axes.map((x) => normAxis(x, rank)).sort((x, y) => x - y)) shape.splice(ax, 0, 1);
      return { shape, type: a.type };
    }
    case 'Expand':
      return { shape: broadcastShape(a.shape, constOf(b, 'shape', op)), type: a.type };
    case 'ConstantOfShape':
      return { shape: constOf(a, 'shape', op), type: 'float32' };
    case 'MatMulNBits':
      return { shape: [...a.shape.slice(0, -1), attrs.N as number], type: a.type };
    case 'Relu':
      return { shape: a.shape, type: a.type };
    case 'Shape':
    case 'Range':
      throw new Error(`${op} has data-dependent output; training graphs use static shapes only`);
    case 'Pad': {
      const pads = constOf(b, 'pads', op);
      const rank = a.shape.length;
      const axes = ins[3]
        ? constOf(ins[3], 'axes', op).map((x) => normAxis(x, rank))
        : a.shape.map((_, i) => i);
      const shape = [...a.shape];
      axes.forEach((ax, i) => {
        shape[ax] = shape[ax]! + pads[i]! + pads[i + axes.length]!;
      });
      return { shape, type: a.type };
    }
    default: {
      const never: never = op;
      throw new Error(`no shape rule for ${String(never)}`);
    }
  }
}
