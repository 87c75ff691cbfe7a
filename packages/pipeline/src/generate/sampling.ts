import { PipelineError } from '../errors';

export interface SamplingOptions {
  /** 0 (or `greedy: true`) picks the arg-max; default 1 */
  temperature?: number;
  greedy?: boolean;
  /** keep the k most likely tokens (0 = off) */
  topK?: number;
  /** keep the smallest set of tokens whose probability reaches p (1 = off) */
  topP?: number;
  /** CTRL-style penalty > 1 discourages tokens already present (1 = off) */
  repetitionPenalty?: number;
  /** seed for the sampler's PRNG: same seed, same tokens */
  seed?: number;
}

/** mulberry32: a tiny seeded PRNG with uniform output in [0, 1). */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Validates sampling options once, before generation starts. */
export function checkSampling(o: SamplingOptions): void {
  const bad = (m: string) => new PipelineError('bad_input', `Invalid sampling option: ${m}`);
  if (o.temperature !== undefined && !(o.temperature >= 0)) throw bad('temperature must be >= 0');
  if (o.topK !== undefined && !(Number.isInteger(o.topK) && o.topK >= 0))
    throw bad('topK must be an integer >= 0');
  if (o.topP !== undefined && !(o.topP > 0 && o.topP <= 1)) throw bad('topP must be in (0, 1]');
  if (o.repetitionPenalty !== undefined && !(o.repetitionPenalty > 0))
    throw bad('repetitionPenalty must be > 0');
}

/** Picks the next token from one row of logits. `history` feeds the repetition penalty. */
export function sampleToken(
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
