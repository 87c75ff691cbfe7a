import { accept, type CheckResult, reject } from './checkResult';

/** What {@link checkNumSamplesCap} compared. samples */
export interface NumSamplesValue {
  numSamples: number;
  cap: number;
  /** where the cap came from */
  source: 'assigned' | 'maximum';
}

/**
 * Check 4c: n_k may not exceed the data the coordinator assigned to this client, or the
 * configured maximum when none was assigned. An inflated n_k would buy weight in the average
 * and reward. Pure.
 * @returns `num_samples_exceeds_cap`
 */
export function checkNumSamplesCap(
  numSamples: number,
  assigned: number | undefined,
  maximum: number,
): CheckResult<NumSamplesValue> {
  const value: NumSamplesValue =
    assigned === undefined
      ? { numSamples, cap: maximum, source: 'maximum' }
      : { numSamples, cap: Math.min(assigned, maximum), source: 'assigned' };
  if (!(numSamples <= value.cap)) {
    return reject(
      'num_samples_exceeds_cap',
      `n_k = ${numSamples} exceeds the ${value.source} cap of ${value.cap} samples.`,
      value,
    );
  }
  return accept(value);
}
