import { PipelineError } from '../../errors';
import type { Node } from '../../ir/graph';
import type { ShapedGraph } from '../graph/shapedGraph';
import { type Contribution, materialize } from './contribution';
import { GRAD_RULES } from './rules/index';

/** Options of {@link differentiate}. */
export interface DifferentiateOptions {
  /** leaf values (graph inputs or initializers) to differentiate with respect to */
  wrt: readonly string[];
  /** gradient seeds: value → the value holding its gradient (same shape) */
  seeds: ReadonlyMap<string, string>;
  /** values treated as constants: no gradient flows through them */
  stopGradient?: ReadonlySet<string>;
}

/**
 * Reverse-mode differentiation on the IR. Appends the backward nodes of
 * `forward` (topologically ordered nodes already in `g`) to `g` and returns
 * the gradient value of each `wrt` leaf. Activations of the forward pass are
 * referenced directly (kept, not recomputed); LayerNorm statistics are the
 * one recomputation. Leaves the seeds never reach get zero gradients.
 */
export function differentiate(
  g: ShapedGraph,
  forward: readonly Node[],
  opts: DifferentiateOptions,
): Map<string, string> {
  const stop = opts.stopGradient ?? new Set<string>();
  const requires = new Set(opts.wrt.filter((w) => g.type(w) === 'float32'));
  for (const node of forward) {
    const out = node.outputs[0]!;
    if (g.type(out) === 'float32' && !stop.has(out) && node.inputs.some((i) => requires.has(i)))
      requires.add(out);
  }
  const terms = new Map<string, Contribution[]>();
  const add = (v: string, c: Contribution) => {
    const list = terms.get(v);
    if (list) list.push(c);
    else terms.set(v, [c]);
  };
  for (const [v, grad] of opts.seeds) add(v, { kind: 'dense', value: grad });
  for (let i = forward.length - 1; i >= 0; i--) {
    const node = forward[i]!;
    const out = node.outputs[0]!;
    const pending = terms.get(out);
    if (!pending || !requires.has(out)) continue;
    const rule = GRAD_RULES[node.op];
    if (!rule) {
      throw new PipelineError('bad_input', `No gradient rule for ${node.op}`, {
        details: `while differentiating ${out}`,
      });
    }
    const dy = materialize(g, g.shape(out), pending);
    terms.delete(out);
    const needs = (k: number) => requires.has(node.inputs[k] ?? '');
    for (const [v, c] of rule({ g, node, dy, needs })) add(v, c);
  }
  const grads = new Map<string, string>();
  for (const w of opts.wrt) grads.set(w, materialize(g, g.shape(w), terms.get(w) ?? []));
  return grads;
}
