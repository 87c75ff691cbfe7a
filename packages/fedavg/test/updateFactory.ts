import { SeededRng } from '../src/SeededRng';
import type { ClientUpdate } from '../src/types';

/** Deterministic pseudo-random update for `schema`, values in (−scale, scale). */
export function randomUpdate(
  schema: ReadonlyMap<string, readonly number[]>,
  seed: number,
  numSamples = 1 + (seed % 17),
  scale = 1,
): ClientUpdate {
  const rng = new SeededRng(seed);
  const delta = new Map<string, Float32Array>();
  for (const [name, shape] of schema) {
    const n = shape.reduce((p, d) => p * d, 1);
    const x = new Float32Array(n);
    for (let i = 0; i < n; i++) x[i] = (2 * rng.nextFloat() - 1) * scale;
    delta.set(name, x);
  }
  return { delta, numSamples };
}

/** Flattens tensors in schema order into one plain array. */
export function flat(
  tensors: ReadonlyMap<string, Float32Array>,
  schema: ReadonlyMap<string, unknown>,
): number[] {
  return [...schema.keys()].flatMap((name) => [...tensors.get(name)!]);
}

/** Exact binary value of a float32 as a BigInt scaled by 2^149 (every float32 is an integer multiple of 2^-149). */
export function f32ToScaledBigInt(v: number): bigint {
  const bits = new Uint32Array(new Float32Array([v]).buffer)[0]!;
  const sign = bits >>> 31 ? -1n : 1n;
  const exp = (bits >>> 23) & 0xff;
  const mant = bits & 0x7fffff;
  if (exp === 0) return sign * BigInt(mant); // subnormal: mant · 2^-149
  return sign * (BigInt(mant | 0x800000) << BigInt(exp - 1));
}
