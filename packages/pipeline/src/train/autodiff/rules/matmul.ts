import type { ShapedGraph } from '../../graph/shapedGraph';
import { type Contribution, dense } from '../contribution';
import { reduceTo } from '../reduceTo';
import type { GradRule } from './gradRule';

function isSwapLast2(perm: number[], rank: number): boolean {
  return (
    perm.length === rank &&
    perm.every((p, i) => (i < rank - 2 ? p === i : p === (i === rank - 2 ? rank - 1 : rank - 2)))
  );
}

/** `v` with its last two axes swapped; reuses the source of a producing Transpose instead of transposing twice. */
function swapLast2(g: ShapedGraph, v: string): string {
  const rank = g.shape(v).length;
  const p = g.producer(v);
  if (p?.op === 'Transpose') {
    const perm =
      (p.attrs.perm as number[] | undefined) ?? Array.from({ length: rank }, (_, i) => rank - 1 - i);
    if (isSwapLast2(perm, rank)) return p.inputs[0]!;
  }
  const perm = Array.from({ length: rank }, (_, i) =>
    i < rank - 2 ? i : i === rank - 2 ? rank - 1 : rank - 2,
  );
  return g.op('Transpose', [v], { perm });
}

/** The weight W when `b` = Transpose(W, [1, 0]) feeds only this MatMul (an HF `nn.Linear` weight). */
function transposedWeight(g: ShapedGraph, b: string): string | undefined {
  const p = g.producer(b);
  if (p?.op !== 'Transpose' || g.shape(b).length !== 2 || g.consumers(b) !== 1) return undefined;
  const perm = p.attrs.perm as number[] | undefined;
  return !perm || (perm[0] === 1 && perm[1] === 0) ? p.inputs[0] : undefined;
}

/**
 * Y = A·B (batched, numpy broadcasting of the batch axes):
 *   dA = dY·Bᵀ, dB = Aᵀ·dY, each summed over the batch axes it was broadcast along.
 * A linear layer (B rank 2, A rank ≥ 2) flattens the batch so dB is one GEMM;
 * for B = Wᵀ it writes dW = dYᵀ·A directly.
 */
export const matmul: GradRule = (ctx) => {
  const { g, dy } = ctx;
  const [a, b] = ctx.node.inputs as [string, string];
  const out: Array<[string, Contribution]> = [];
  if (ctx.needs(0)) out.push([a, dense(reduceTo(g, g.op('MatMul', [dy, swapLast2(g, b)]), g.shape(a)))]);
  if (!ctx.needs(1)) return out;
  const sa = g.shape(a);
  const sb = g.shape(b);
  if (sb.length === 2) {
    const [k, n] = sb as [number, number];
    const a2 = sa.length === 2 ? a : g.op('Reshape', [a, g.constInt([-1, k])]);
    const dy2 = sa.length === 2 ? dy : g.op('Reshape', [dy, g.constInt([-1, n])]);
    const w = transposedWeight(g, b);
    if (w) out.push([w, dense(g.op('MatMul', [g.op('Transpose', [dy2], { perm: [1, 0] }), a2]))]);
    else out.push([b, dense(g.op('MatMul', [g.op('Transpose', [a2], { perm: [1, 0] }), dy2]))]);
  } else {
    out.push([b, dense(reduceTo(g, g.op('MatMul', [swapLast2(g, a), dy]), sb))]);
  }
  return out;
};
