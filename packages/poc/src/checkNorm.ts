import { accept, type CheckResult, reject } from './checkResult';
import type { PocConfig } from './config';

/** What {@link checkNorm} compared. */
export interface NormValue {
  /** ‖Δ_k‖₂ */
  norm: number;
  /** ‖M_t‖₂ */
  modelNorm: number;
  /** the round's median norm used as reference, or null when none is known yet */
  reference: number | null;
  /** norm / reference, or null */
  ratio: number | null;
}

/**
 * Check 2b and free riding: ‖Δ_k‖ must lie in [lo, hi] × the round's median norm, and must not
 * be negligible next to the model itself (‖Δ‖/‖M_t‖ ≥ minRelativeToModel, which catches zero
 * updates before any median exists). Pure.
 * @returns `free_rider` (zero or too small), `norm_too_large`
 */
export function checkNorm(
  norm: number,
  modelNorm: number,
  reference: number | undefined,
  bounds: PocConfig['norm'],
): CheckResult<NormValue> {
  const ref = reference !== undefined && reference > 0 && Number.isFinite(reference) ? reference : null;
  const value: NormValue = { norm, modelNorm, reference: ref, ratio: ref === null ? null : norm / ref };
  if (!(norm > 0) || norm < bounds.minRelativeToModel * modelNorm) {
    return reject(
      'free_rider',
      `The update is (near) zero: ‖Δ‖ = ${norm.toExponential(3)} for ‖M‖ = ${modelNorm.toExponential(3)}.`,
      value,
    );
  }
  if (ref !== null && norm < bounds.lo * ref) {
    return reject(
      'free_rider',
      `‖Δ‖ is ${(norm / ref).toPrecision(3)} × the round's median, below ${bounds.lo}.`,
      value,
    );
  }
  if (ref !== null && norm > bounds.hi * ref) {
    return reject(
      'norm_too_large',
      `‖Δ‖ is ${(norm / ref).toPrecision(3)} × the round's median, above ${bounds.hi}.`,
      value,
    );
  }
  if (!Number.isFinite(norm)) return reject('norm_too_large', 'The update norm is not finite.', value);
  return accept(value);
}
