import { normAxis, size } from '../../../ref/tensor';
import type { ShapedGraph } from '../../graph/shapedGraph';
import { dense } from '../contribution';
import type { GradContext, GradRule } from './gradRule';

/** Reduced axes of a Reduce* node (all axes when the axes input is absent or empty). */
function reducedAxes(g: ShapedGraph, ctx: GradContext): number[] {
  const x = ctx.node.inputs[0]!;
  const rank = g.shape(x).length;
  const axesIn = ctx.node.inputs[1];
  const v = axesIn ? g.value(axesIn) : undefined;
  if (axesIn && !v) throw new Error(`${ctx.node.op} axes must be constant`);
  return v && v.length > 0 ? v.map((a) => normAxis(a, rank)) : Array.from({ length: rank }, (_, i) => i);
}

/** dy reshaped to the keepdims shape of the reduction, then broadcast to x's shape. */
function spread(ctx: GradContext, axes: number[]): string {
  const { g, dy } = ctx;
  const xs = g.shape(ctx.node.inputs[0]!);
  const kept = xs.map((d, i) => (axes.includes(i) ? 1 : d));
  const dyk = g.shape(dy).length === kept.length ? dy : g.op('Reshape', [dy, g.constInt(kept)]);
  return g.op('Expand', [dyk, g.constInt(xs)]);
}

export const reduceSum: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  return [[ctx.node.inputs[0]!, dense(spread(ctx, reducedAxes(ctx.g, ctx)))]];
};

export const reduceMean: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g } = ctx;
  const axes = reducedAxes(g, ctx);
  const xs = g.shape(ctx.node.inputs[0]!);
  const n = size(axes.map((a) => xs[a]!));
  return [[ctx.node.inputs[0]!, dense(g.op('Mul', [spread(ctx, axes), g.scalar(1 / n)]))]];
};

/** Max: the gradient goes to the maximal elements, split evenly between ties. */
export const reduceMax: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node } = ctx;
  const x = node.inputs[0]!;
  const axes = reducedAxes(g, ctx);
  const xs = g.shape(x);
  const kept = xs.map((d, i) => (axes.includes(i) ? 1 : d));
  let y = node.outputs[0]!;
  if (g.shape(y).length !== kept.length) y = g.op('Reshape', [y, g.constInt(kept)]);
  const hit = g.op('Cast', [g.op('Equal', [x, y])], { to: 1 });
  const count = g.op('ReduceSum', [hit, g.constInt(axes)], { keepdims: 1 });
  return [[x, dense(g.op('Mul', [spread(ctx, axes), g.op('Div', [hit, count])]))]];
};
