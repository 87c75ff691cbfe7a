import { IGNORE_INDEX } from './constants';
import { ONNX_FLOAT } from './graph/inferNode';
import type { ShapedGraph } from './graph/shapedGraph';

/** The loss subgraph of a training graph. */
export interface CrossEntropyLoss {
  /** scalar: mean −log p(target) over positions whose target is not {@link IGNORE_INDEX} */
  loss: string;
  /** values the autodiff treats as constants (the max subtracted for stability; its exact gradient is 0) */
  stopGradient: Set<string>;
  /** appends the closed-form d loss / d logits = (softmax − onehot) · w / count, w = 1 on counted positions */
  fusedGradient(): string;
}

/**
 * Mean next-token cross-entropy from plain ops. `labels` [B, S] int64 follow
 * the HF convention: the graph shifts them, so position i is scored on
 * labels[i + 1]; the last position and labels equal to {@link IGNORE_INDEX}
 * are not counted. log-softmax = z − log Σ eᶻ with z = logits − max.
 * No count guard: a batch without any counted position yields NaN, so callers
 * reject such batches before running the graph.
 */
export function nextTokenCrossEntropy(g: ShapedGraph, logits: string, labels: string): CrossEntropyLoss {
  const [B, S] = g.shape(logits) as [number, number, number];
  const ignoreCol = g.op('Expand', [g.constInt([IGNORE_INDEX], [1, 1]), g.constInt([B, 1])]);
  const targets =
    S > 1
      ? g.op(
          'Concat',
          [g.op('Slice', [labels, g.constInt([1]), g.constInt([S]), g.constInt([1])]), ignoreCol],
          { axis: 1 },
        )
      : ignoreCol;
  const valid = g.op('Not', [g.op('Equal', [targets, g.constInt([IGNORE_INDEX], [])])]);
  const w3 = g.op('Unsqueeze', [g.op('Cast', [valid], { to: ONNX_FLOAT }), g.constInt([-1])]);
  const idx = g.op('Unsqueeze', [g.op('Where', [valid, targets, g.constInt([0], [])]), g.constInt([-1])]);
  const last = g.constInt([-1]);
  const m = g.op('ReduceMax', [logits, last], { keepdims: 1 });
  const z = g.op('Sub', [logits, m]);
  const e = g.op('Exp', [z]);
  const s = g.op('ReduceSum', [e, last], { keepdims: 1 });
  const nll = g.op('Sub', [g.op('Log', [s]), g.op('GatherElements', [z, idx], { axis: -1 })]);
  const all = g.constInt([0, 1, 2]);
  const count = g.op('ReduceSum', [w3, all], { keepdims: 0 });
  const loss = g.op('Div', [g.op('ReduceSum', [g.op('Mul', [nll, w3]), all], { keepdims: 0 }), count]);
  return {
    loss,
    stopGradient: new Set([m]),
    fusedGradient() {
      const wc = g.op('Div', [w3, count]);
      const p = g.op('Mul', [e, g.op('Div', [wc, s])]);
      return g.op('ScatterElements', [p, idx, g.op('Neg', [wc])], { axis: -1, reduction: 'add' });
    },
  };
}
