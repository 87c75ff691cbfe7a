import type { SamplingOptions } from '../src/index';

/**
 * The plain reference: rank the whole vocabulary with a stable sort, cut by
 * top-k and top-p, walk the kept candidates in rank order. O(V log V).
 */
export function referenceSample(
  logits: ArrayLike<number>,
  o: SamplingOptions,
  history: readonly number[],
  random: () => number,
): number {
  const V = logits.length;
  const l = Float64Array.from(logits as ArrayLike<number>);
  const penalty = o.repetitionPenalty ?? 1;
  if (penalty !== 1) {
    for (const id of new Set(history)) if (id < V) l[id] = l[id]! > 0 ? l[id]! / penalty : l[id]! * penalty;
  }
  const temperature = o.greedy ? 0 : (o.temperature ?? 1);
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < V; i++) if (l[i]! > l[best]!) best = i;
    return best;
  }
  let order = Array.from({ length: V }, (_, i) => i).sort((a, b) => l[b]! - l[a]!);
  if (o.topK && o.topK < V) order = order.slice(0, o.topK);
  const max = l[order[0]!]!;
  let probs = order.map((i) => Math.exp((l[i]! - max) / temperature));
  let sum = probs.reduce((a, b) => a + b, 0);
  probs = probs.map((p) => p / sum);
  const topP = o.topP ?? 1;
  if (topP < 1) {
    let acc = 0;
    let keep = 0;
    while (keep < probs.length && acc < topP) acc += probs[keep++]!;
    order = order.slice(0, keep);
    probs = probs.slice(0, keep);
    sum = acc;
    probs = probs.map((p) => p / sum);
  }
  let r = random();
  for (let i = 0; i < order.length; i++) {
    r -= probs[i]!;
    if (r <= 0) return order[i]!;
  }
  return order[order.length - 1]!;
}
