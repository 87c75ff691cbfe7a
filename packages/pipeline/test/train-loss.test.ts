import { describe, expect, it } from 'vitest';
import { executeGraph, IGNORE_INDEX, nextTokenCrossEntropy, ShapedGraph, seededRandom } from '../src/index';
import { gradCheck } from './gradCheck';

const B = 2;
const S = 5;
const V = 7;
// labels follow the HF convention; position i is scored on labels[i + 1]
const LABELS = [3, 1, 6, IGNORE_INDEX, 2, 0, 5, 5, 4, IGNORE_INDEX];

/** Independent mean next-token cross-entropy in float64. */
function referenceLoss(logits: Float64Array, labels: number[]): number {
  let sum = 0;
  let n = 0;
  for (let b = 0; b < B; b++) {
    for (let i = 0; i + 1 < S; i++) {
      const t = labels[b * S + i + 1]!;
      if (t === IGNORE_INDEX) continue;
      const row = logits.subarray((b * S + i) * V, (b * S + i + 1) * V);
      const m = Math.max(...row);
      const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
      sum += lse - row[t]!;
      n++;
    }
  }
  return sum / n;
}

function lossGraph() {
  const g = new ShapedGraph();
  const logits = g.input('logits', 'float32', [B, S, V]);
  const labels = g.input('labels', 'int64', [B, S]);
  const ce = nextTokenCrossEntropy(g, logits, labels);
  g.output(ce.loss, 'loss');
  g.output(ce.fusedGradient(), 'dlogits');
  return g;
}

function randomLogits(seed: number): Float64Array {
  const r = seededRandom(seed);
  return Float64Array.from({ length: B * S * V }, () => 4 * r() - 2);
}

describe('next-token cross-entropy', () => {
  it('equals an independent float64 computation, ignoring -100 and the last position', () => {
    const logits = randomLogits(3);
    const out = executeGraph(lossGraph().graph, {
      logits: { shape: [B, S, V], data: logits },
      labels: { shape: [B, S], data: Float64Array.from(LABELS) },
    });
    expect(Math.abs(out['loss']!.data[0]! - referenceLoss(logits, LABELS))).toBeLessThan(1e-14);
  });

  it('fused gradient (softmax − onehot)·w/count matches finite differences to 1e-6', () => {
    const logits = randomLogits(4);
    const graph = lossGraph().graph;
    const labels = { shape: [B, S], data: Float64Array.from(LABELS) };
    const d = executeGraph(graph, { logits: { shape: [B, S, V], data: logits }, labels })['dlogits']!.data;
    const h = 1e-5;
    let err = 0;
    let scale = 0;
    for (let i = 0; i < logits.length; i++) {
      const x0 = logits[i]!;
      logits[i] = x0 + h;
      const lp = referenceLoss(logits, LABELS);
      logits[i] = x0 - h;
      const lm = referenceLoss(logits, LABELS);
      logits[i] = x0;
      const fd = (lp - lm) / (2 * h);
      err = Math.max(err, Math.abs(fd - d[i]!));
      scale = Math.max(scale, Math.abs(fd));
    }
    expect(err / scale).toBeLessThanOrEqual(1e-6);
    // ignored and last positions get exactly zero gradient
    for (const row of [2, 4, 9]) for (let v = 0; v < V; v++) expect(d[row * V + v]).toBe(0);
  });

  it('reverse mode through the loss ops (ReduceMax, Exp, Log, GatherElements, Where…) matches finite differences', async () => {
    const r = await gradCheck(
      [
        { shape: [B, S, V], range: [-2, 2] },
        { shape: [B, S], int: LABELS },
      ],
      (g, [lg, lb]) => {
        return nextTokenCrossEntropy(g, lg!, lb!).loss;
      },
    );
    expect(r.refRelErr[0]).toBeLessThanOrEqual(1e-6);
    expect(r.ortRelErr[0]).toBeLessThanOrEqual(1e-4);
    for (const o of ['ReduceMax', 'Exp', 'Log', 'GatherElements', 'Where', 'Equal', 'Not', 'Cast'])
      expect(r.forwardOps).toContain(o);
  });
});
