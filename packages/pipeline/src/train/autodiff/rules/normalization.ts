import { normAxis } from '../../../ref/tensor';
import { type Contribution, dense } from '../contribution';
import { reduceTo } from '../reduceTo';
import type { GradRule } from './gradRule';

/** y = softmax(x) along `axis`: dx = y · (dy − Σ dy·y). */
export const softmax: GradRule = (ctx) => {
  if (!ctx.needs(0)) return [];
  const { g, node, dy } = ctx;
  const y = node.outputs[0]!;
  const axis = (node.attrs.axis as number | undefined) ?? -1;
  const dot = g.op('ReduceSum', [g.op('Mul', [dy, y]), g.constInt([axis])], { keepdims: 1 });
  return [[node.inputs[0]!, dense(g.op('Mul', [y, g.op('Sub', [dy, dot])]))]];
};

/**
 * LayerNormalization over the last axis (the only form the stage graphs emit
 * and the reference executor implements): mean and 1/σ are recomputed
 * from x (cheap elementwise work) rather than kept from the forward pass.
 *   x̂ = (x − μ)·r, r = 1/√(var + ε)
 *   dscale = Σ dy·x̂, dbias = Σ dy (over the non-normalised axes)
 *   dx = r · (g − mean(g) − x̂·mean(g·x̂)), g = dy·scale
 */
export const layerNormalization: GradRule = (ctx) => {
  const { g, node, dy } = ctx;
  const [x, scale, bias] = node.inputs as [string, string, string | undefined];
  const rank = g.shape(x).length;
  const axis = normAxis((node.attrs.axis as number | undefined) ?? -1, rank);
  if (axis !== rank - 1) throw new Error('LayerNormalization gradient supports axis = -1 only');
  const eps = (node.attrs.epsilon as number | undefined) ?? 1e-5;
  const axes = g.constInt([axis]);
  const mean = (v: string) => g.op('ReduceMean', [v, axes], { keepdims: 1 });
  const mul = (a: string, b: string) => g.op('Mul', [a, b]);
  const xc = g.op('Sub', [x, mean(x)]);
  const r = g.op('Reciprocal', [g.op('Sqrt', [g.op('Add', [mean(mul(xc, xc)), g.scalar(eps)])])]);
  const xhat = mul(xc, r);
  const out: Array<[string, Contribution]> = [];
  if (ctx.needs(0)) {
    const gh = mul(dy, scale);
    const inner = g.op('Sub', [g.op('Sub', [gh, mean(gh)]), mul(xhat, mean(mul(gh, xhat)))]);
    out.push([x, dense(mul(r, inner))]);
  }
  if (ctx.needs(1)) out.push([scale, dense(reduceTo(g, mul(dy, xhat), g.shape(scale)))]);
  if (bias && bias !== '' && ctx.needs(2)) out.push([bias, dense(reduceTo(g, dy, g.shape(bias)))]);
  return out;
};
