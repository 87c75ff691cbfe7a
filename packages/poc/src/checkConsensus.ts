import { accept, type CheckResult, reject } from './checkResult';
import { cosine } from './updateSketch';

/** What {@link checkConsensus} measured. */
export interface ConsensusValue {
  /** cosine of Δ_k with the mean of the other accepted updates, or null when too few exist */
  cosine: number | null;
  /** accepted updates in the mean */
  others: number;
}

/**
 * Sign-flip defence: Δ_k must not point against the round's consensus, the mean of the other
 * accepted updates (on sketches; unweighted, so n_k cannot buy influence). Honest non-IID
 * updates share the common descent component and keep a positive cosine with it; a
 * sign-flipped (gradient-ascent) update has a negative one, even when, far from a minimum,
 * its full step happens to lower the loss. Skipped (accepted) with fewer than `minOthers`
 * others. Assumes honest updates hold the majority of the mean, like any robust rule. Pure.
 * @param sum element-wise sum of the other updates' sketches
 * @returns `opposes_consensus`
 */
export function checkConsensus(
  sketch: Float32Array,
  sum: Float64Array,
  others: number,
  rule: { minCosine: number; minOthers: number },
): CheckResult<ConsensusValue> {
  if (others < rule.minOthers) return accept({ cosine: null, others });
  const c = cosine(sketch, Float32Array.from(sum));
  const value = { cosine: c, others };
  if (!(c >= rule.minCosine)) {
    return reject(
      'opposes_consensus',
      `The update has cosine ${c.toFixed(3)} with the mean of ${others} accepted updates (min ${rule.minCosine}).`,
      value,
    );
  }
  return accept(value);
}
