import { normAxis } from '../../../ref/tensor';
import { sliceBounds } from '../../graph/inferNode';
import { type Contribution, dense } from '../contribution';
import { reduceTo } from '../reduceTo';
import type { GradRule } from './gradRule';

/** Ops that only rearrange or pass values: the gradient takes the input's shape back. */
export const reshapeBack: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const x = ctx.node.inputs[0]!;
  return [[x, dense(ctx.g.op('Reshape', [ctx.dy, ctx.g.constInt(ctx.g.shape(x))]))]];
};

export const identity: GradRule = (ctx) => (ctx.needs(0) ? [[ctx.node.inputs[0]!, dense(ctx.dy)]] : []);

/** Cast float → float is the identity; casts from int/bool inputs never need a gradient. */
export const cast = identity;

export const transpose: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const x = ctx.node.inputs[0]!;
  const rank = ctx.g.shape(x).length;
  const perm =
    (ctx.node.attrs.perm as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
  const inverse = new Array<number>(rank);
  perm.forEach((p, i) => {
    inverse[p] = i;
  });
  return [[x, dense(ctx.g.op('Transpose', [ctx.dy], { perm: inverse }))]];
};

export const concat: GradRule = (ctx) => {
  const { g, node, dy } = ctx;
  const rank = g.shape(dy).length;
  const axis = normAxis((node.attrs.axis as number | undefined) ?? 0, rank);
  const out: Array<[string, Contribution]> = [];
  let at = 0;
  node.inputs.forEach((x, i) => {
    const len = g.shape(x)[axis]!;
    if (ctx.needs(i)) {
      const part = g.op('Slice', [dy, g.constInt([at]), g.constInt([at + len]), g.constInt([axis])]);
      out.push([x, dense(part)]);
    }
    at += len;
  });
  return out;
};

/** Slice (step 1): the gradient is dy placed back at the sliced range, zeros elsewhere. */
export const slice: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node, dy } = ctx;
  const x = node.inputs[0]!;
  const xs = g.shape(x);
  const rank = xs.length;
  const starts = g.value(node.inputs[1]!)!;
  const ends = g.value(node.inputs[2]!)!;
  const axes = node.inputs[3] ? g.value(node.inputs[3])! : starts.map((_, i) => i);
  const bounds = axes.map((a, i) => {
    const ax = normAxis(a, rank);
    return [ax, ...sliceBounds(starts[i]!, ends[i]!, xs[ax]!)] as [number, number, number];
  });
  if (bounds.length === 1) {
    const [axis, start, end] = bounds[0]!;
    return [[x, { kind: 'slice', axis, start, end, value: dy }]];
  }
  const pads = new Array<number>(2 * rank).fill(0);
  for (const [ax, s, e] of bounds) {
    pads[ax] = s;
    pads[rank + ax] = xs[ax]! - e;
  }
  return [[x, dense(g.op('Pad', [dy, g.constInt(pads)]))]];
};

export const expand: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const x = ctx.node.inputs[0]!;
  return [[x, dense(reduceTo(ctx.g, ctx.dy, ctx.g.shape(x)))]];
};

/** Constant-mode Pad: the gradient is dy cropped back to the input. */
export const pad: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node, dy } = ctx;
  const x = node.inputs[0]!;
  const xs = g.shape(x);
  const rank = xs.length;
  const pads = g.value(node.inputs[1]!)!;
  const axes = node.inputs[3] ? g.value(node.inputs[3])!.map((a) => normAxis(a, rank)) : xs.map((_, i) => i);
  const starts = axes.map((_, i) => pads[i]!);
  const ends = axes.map((ax, i) => pads[i]! + xs[ax]!);
  return [[x, dense(g.op('Slice', [dy, g.constInt(starts), g.constInt(ends), g.constInt(axes)]))]];
};

/** Where(c, a, b): dy flows to a where c holds, to b elsewhere. */
export const where: GradRule = (ctx) => {
  const { g, node, dy } = ctx;
  const [c, a, b] = node.inputs as [string, string, string];
  const zero = g.scalar(0);
  const out: Array<[string, Contribution]> = [];
  if (ctx.needs(1)) out.push([a, dense(reduceTo(g, g.op('Where', [c, dy, zero]), g.shape(a)))]);
  if (ctx.needs(2)) out.push([b, dense(reduceTo(g, g.op('Where', [c, zero, dy]), g.shape(b)))]);
  return out;
};
