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

/**
 * Picks the next token from one row of logits. `history` feeds the repetition
 * penalty. Candidates are ranked by logit (ties: lower id first); top-k keeps
 * the k best, top-p the shortest ranked prefix whose probability reaches p,
 * and the draw walks the kept candidates in rank order. Expected O(V): the
 * ranking is found by partitioning, never by sorting the vocabulary.
 * @throws PipelineError `non_finite` when a logit is NaN or +∞, or none is finite; `bad_input` when there are none
 */
export function sampleToken(
  logits: ArrayLike<number>,
  o: SamplingOptions,
  history: readonly number[],
  random: () => number,
): number {
  const V = logits.length;
  if (V === 0) throw new PipelineError('bad_input', 'There are no logits to sample from');
  let l = logits;
  const penalty = o.repetitionPenalty ?? 1;
  if (penalty !== 1) {
    const c = new Float64Array(V);
    c.set(logits);
    for (const id of new Set(history)) if (id < V) c[id] = c[id]! > 0 ? c[id]! / penalty : c[id]! * penalty;
    l = c;
  }
  let best = 0;
  for (let i = 0; i < V; i++) {
    const x = l[i]!;
    if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) {
      throw new PipelineError('non_finite', `Logit ${i} is ${x}`, {
        details: 'Sampling needs finite logits (−∞ masks a token); the model produced a non-finite value.',
      });
    }
    if (x > l[best]!) best = i;
  }
  const max = l[best]!;
  if (max === Number.NEGATIVE_INFINITY) throw new PipelineError('non_finite', 'Every logit is −∞');
  const temperature = o.greedy ? 0 : (o.temperature ?? 1);
  if (temperature === 0) return best;
  // drawn before the scratch buffers are filled, in case `random` itself samples
  const u = random();
  if (scratchIdx.length < V) {
    scratchIdx = new Uint32Array(V);
    scratchW = new Float64Array(V);
  }
  const idx = scratchIdx;
  const w = scratchW;
  const invT = 1 / temperature;
  let n: number;
  let split: number;
  let sumHi = 0;
  let sumLo = 0;
  if (o.topK && o.topK < V) {
    n = o.topK;
    heapTopK(l, idx, w, n);
    for (let i = 0; i < n; i++) {
      w[i] = Math.exp((w[i]! - max) * invT);
      sumHi += w[i]!;
    }
    split = n;
  } else {
    // one pass: the weights, with the candidates near the top (where most draws land) moved first
    n = V;
    let back = V;
    split = 0;
    for (let i = 0; i < V; i++) {
      const x = Math.exp((l[i]! - max) * invT);
      if (x > NEAR_TOP) {
        idx[split] = i;
        w[split++] = x;
        sumHi += x;
      } else {
        idx[--back] = i;
        w[back] = x;
        sumLo += x;
      }
    }
  }
  const topP = o.topP ?? 1;
  if (topP < 1) {
    n = crossingSplit(idx, w, n, split, sumHi, topP * (sumHi + sumLo)) + 1;
    split = Math.min(split, n);
    sumHi = 0;
    sumLo = 0;
    for (let i = 0; i < split; i++) sumHi += w[i]!;
    for (let i = split; i < n; i++) sumLo += w[i]!;
  }
  return idx[crossingSplit(idx, w, n, split, sumHi, u * (sumHi + sumLo))]!;
}

/** Candidate ids and weights of the last draw, reused (sampling is synchronous). */
let scratchIdx = new Uint32Array(0);
let scratchW = new Float64Array(0);

/** Weights (relative to the largest, 1) above this rank before the rest in the first pass. */
const NEAR_TOP = 1e-4;

/**
 * The k best logits (rank order: value descending, id ascending) into
 * idx/w[0, k), in no particular order, in one pass with a min-heap of the
 * best so far (ids arrive ascending, so an equal value never outranks).
 */
function heapTopK(l: ArrayLike<number>, idx: Uint32Array, w: Float64Array, k: number): void {
  // heap[0] is the worst kept candidate: smallest value, then largest id
  const worse = (a: number, b: number) => w[a]! < w[b]! || (w[a] === w[b] && idx[a]! > idx[b]!);
  const down = (at: number) => {
    for (let i = at; ; ) {
      const c1 = 2 * i + 1;
      const c2 = c1 + 1;
      let m = i;
      if (c1 < k && worse(c1, m)) m = c1;
      if (c2 < k && worse(c2, m)) m = c2;
      if (m === i) return;
      swap(idx, w, i, m);
      i = m;
    }
  };
  for (let i = 0; i < k; i++) {
    idx[i] = i;
    w[i] = l[i]!;
  }
  for (let i = (k >> 1) - 1; i >= 0; i--) down(i);
  for (let i = k; i < l.length; i++) {
    const x = l[i]!;
    if (x > w[0]!) {
      idx[0] = i;
      w[0] = x;
      down(0);
    }
  }
}

/**
 * {@link crossing} over [0, n) when every candidate of [0, split) outranks
 * every one of [split, n) and `sumHi` is the weight of [0, split).
 */
function crossingSplit(
  idx: Uint32Array,
  w: Float64Array,
  n: number,
  split: number,
  sumHi: number,
  target: number,
): number {
  if (split > 0 && (sumHi >= target || split === n)) return crossing(idx, w, 0, split, 0, target);
  return crossing(idx, w, split, n, sumHi, target);
}

/** Candidates ranked by (w descending, id ascending): whether a comes before b. */
const before = (wa: number, ia: number, wb: number, ib: number) => wa > wb || (wa === wb && ia < ib);

function swap(idx: Uint32Array, w: Float64Array, a: number, b: number): void {
  const i = idx[a]!;
  idx[a] = idx[b]!;
  idx[b] = i;
  const x = w[a]!;
  w[a] = w[b]!;
  w[b] = x;
}

/** Sorts [lo, hi) into rank order (insertion sort: only for short ranges). */
function sortRange(idx: Uint32Array, w: Float64Array, lo: number, hi: number): void {
  for (let i = lo + 1; i < hi; i++) {
    for (let j = i; j > lo && before(w[j]!, idx[j]!, w[j - 1]!, idx[j - 1]!); j--) swap(idx, w, j, j - 1);
  }
}

/** Sorts [lo, hi), whose weights are all equal, by id. */
function sortTies(idx: Uint32Array, lo: number, hi: number): void {
  idx.subarray(lo, hi).sort();
}

/**
 * Three-way partition of [lo, hi) around the median of three weights: w >
 * pivot moves to [lo, lt), = pivot to [lt, gt), < pivot to [gt, hi). Returns
 * lt, gt and the summed weights of the first two parts.
 */
function partition(
  idx: Uint32Array,
  w: Float64Array,
  lo: number,
  hi: number,
): [number, number, number, number] {
  const a = w[lo]!;
  const b = w[(lo + hi) >>> 1]!;
  const c = w[hi - 1]!;
  const pivot = Math.max(Math.min(a, b), Math.min(Math.max(a, b), c));
  let lt = lo;
  let i = lo;
  let gt = hi;
  let above = 0;
  let tied = 0;
  while (i < gt) {
    const x = w[i]!;
    if (x > pivot) {
      above += x;
      swap(idx, w, lt++, i++);
    } else if (x < pivot) swap(idx, w, i, --gt);
    else {
      tied += x;
      i++;
    }
  }
  return [lt, gt, above, tied];
}

/** Ranges this short are sorted outright. */
const SHORT = 16;

/**
 * Partitions [lo, hi) so that, walking its candidates in rank order from a
 * running sum `acc`, the one at which the sum first reaches `target` sits at
 * the returned position p, and [lo, p] holds exactly the candidates ranked up
 * to it. If rounding leaves the total short of `target`, returns the position
 * of the last-ranked candidate.
 */
function crossing(
  idx: Uint32Array,
  w: Float64Array,
  lo: number,
  hi: number,
  acc: number,
  target: number,
): number {
  while (hi - lo > SHORT) {
    const [lt, gt, above, tied] = partition(idx, w, lo, hi);
    if (lt > lo && acc + above >= target) {
      hi = lt;
      continue;
    }
    acc += above;
    if (acc + tied >= target || gt === hi) {
      sortTies(idx, lt, gt);
      for (let i = lt; i < gt; i++) {
        acc += w[i]!;
        if (acc >= target) return i;
      }
      return gt - 1;
    }
    acc += tied;
    lo = gt;
  }
  sortRange(idx, w, lo, hi);
  for (let i = lo; i < hi; i++) {
    acc += w[i]!;
    if (acc >= target) return i;
  }
  return hi - 1;
}
