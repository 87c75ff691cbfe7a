import { FedAvgError } from './errors';
import type { Tensors } from './types';

/**
 * Scale factor that brings an update of L2 norm `norm` within `maxNorm`:
 * min(1, maxNorm / norm). A zero update is left alone.
 */
export function clipFactor(norm: number, maxNorm: number): number {
  return norm > maxNorm ? maxNorm / norm : 1;
}

/**
 * Checks a clipping bound: a finite number > 0.
 * @throws FedAvgError `INVALID_OPTION`
 */
export function checkClipNorm(maxNorm: unknown, option = 'clipNorm'): asserts maxNorm is number {
  if (typeof maxNorm !== 'number' || !Number.isFinite(maxNorm) || maxNorm <= 0) {
    throw new FedAvgError('INVALID_OPTION', `${option} must be a finite number > 0.`, {
      meta: { [option]: maxNorm },
    });
  }
}

/**
 * Per-update norm clipping: returns Δ · min(1, C / ‖Δ‖₂) as new arrays (the
 * input is untouched) with the measured norm and the factor applied.
 * `norm` may be passed when already known (e.g. from `checkUpdate`).
 */
export function clipByNorm(
  delta: Tensors,
  maxNorm: number,
  norm?: number,
): { delta: Map<string, Float32Array>; norm: number; factor: number } {
  checkClipNorm(maxNorm, 'maxNorm');
  let n = norm;
  if (n === undefined) {
    let s = 0;
    for (const x of delta.values()) for (let i = 0; i < x.length; i++) s += x[i]! * x[i]!;
    n = Math.sqrt(s);
  }
  const factor = clipFactor(n, maxNorm);
  const out = new Map<string, Float32Array>();
  for (const [name, x] of delta) {
    const y = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) y[i] = x[i]! * factor;
    out.set(name, y);
  }
  return { delta: out, norm: n, factor };
}
