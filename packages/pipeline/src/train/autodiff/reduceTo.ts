import type { ShapedGraph } from '../graph/shapedGraph';

/**
 * Sums a gradient over the axes along which a value of `target` shape was
 * broadcast (numpy rules), returning a value of exactly `target` shape.
 */
export function reduceTo(g: ShapedGraph, grad: string, target: number[]): string {
  const from = g.shape(grad);
  const lead = from.length - target.length;
  const axes: number[] = [];
  for (let i = 0; i < from.length; i++) {
    const t = i < lead ? 1 : target[i - lead]!;
    if (i < lead || (t === 1 && from[i] !== 1)) axes.push(i);
  }
  let out = grad;
  if (axes.length > 0) out = g.op('ReduceSum', [grad, g.constInt(axes)], { keepdims: 1 });
  const now = g.shape(out);
  if (now.length !== target.length || now.some((d, i) => d !== target[i]))
    out = g.op('Reshape', [out, g.constInt(target)]);
  return out;
}
