import { SeededRng, type TensorSchema, type Tensors } from '@ailo/fedavg';
import { roundSeed } from './roundSeed';

/** Which coordinates a round's sketches read: per tensor (schema order), sorted element offsets. */
export interface SketchPlan {
  readonly names: readonly string[];
  readonly offsets: readonly Int32Array[];
  /** values per sketch */
  readonly size: number;
}

/**
 * Draws the secret sketch coordinates: every coordinate when the model has at most `size` of
 * them, else `size` uniform draws (with replacement) seeded by HMAC(secret, "sketch", 0). The
 * plan stays fixed across rounds so sketches of different rounds stay comparable (replays);
 * clients never learn which coordinates are read. Deterministic for (secret, schema, size).
 */
export function sketchPlan(schema: TensorSchema, secret: Uint8Array, size: number): SketchPlan {
  const names = [...schema.keys()];
  const counts = names.map((n) => schema.get(n)!.reduce((p, d) => p * d, 1));
  const total = counts.reduce((a, b) => a + b, 0);
  if (total <= size) {
    const offsets = counts.map((c) => Int32Array.from({ length: c }, (_, i) => i));
    return { names, offsets, size: total };
  }
  const rng = new SeededRng(roundSeed(secret, 'ailo-poc/sketch', 0));
  const draws = new Float64Array(size);
  for (let i = 0; i < size; i++) draws[i] = Math.floor(rng.nextFloat() * total);
  draws.sort();
  const offsets: Int32Array[] = [];
  let k = 0;
  let start = 0;
  for (const c of counts) {
    const from = k;
    while (k < size && draws[k]! < start + c) k++;
    const o = new Int32Array(k - from);
    for (let j = from; j < k; j++) o[j - from] = draws[j]! - start;
    offsets.push(o);
    start += c;
  }
  return { names, offsets, size };
}

/** The sketch of a tensor set (an update or a global step): its values at the plan's coordinates. */
export function sketchUpdate(tensors: Tensors, plan: SketchPlan): Float32Array {
  const out = new Float32Array(plan.size);
  let k = 0;
  plan.names.forEach((name, t) => {
    const x = tensors.get(name);
    const o = plan.offsets[t]!;
    if (x) for (let j = 0; j < o.length; j++) out[k + j] = x[o[j]!]!;
    k += o.length;
  });
  return out;
}

/** Cosine similarity of two equal-length vectors in float64; 0 when either is zero. */
export function cosine(a: Float32Array, b: Float32Array): number {
  let ab = 0;
  let aa = 0;
  let bb = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a[i]!;
    const y = b[i]!;
    ab += x * y;
    aa += x * x;
    bb += y * y;
  }
  return aa > 0 && bb > 0 ? ab / Math.sqrt(aa * bb) : 0;
}
