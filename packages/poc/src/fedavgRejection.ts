import { type FedAvgError, isFedAvgError } from '@ailo/fedavg';
import type { RejectionCode } from './checkResult';

/** How the fedavg `Round`'s own refusals (before the validator runs) read as rejection codes. */
const ROUND_CODES: Partial<Record<FedAvgError['code'], RejectionCode>> = {
  WRONG_ROUND: 'wrong_round',
  WRONG_BASE: 'wrong_base',
  NON_FINITE: 'non_finite',
  DUPLICATE_SUBMISSION: 'duplicate_submission',
  LATE_SUBMISSION: 'late_submission',
  ROUND_CLOSED: 'late_submission',
  VALIDATOR_FAILED: 'validation_failed',
};

/**
 * The rejection code of an error thrown by fedavg's `Round.submit` or `checkUpdate`; every
 * structural problem (names, shapes, dtype, n_k, file format) is `malformed_update`.
 * `undefined` for anything that is not a `FedAvgError`.
 */
export function fedavgRejection(err: unknown): RejectionCode | undefined {
  if (!isFedAvgError(err)) return undefined;
  return ROUND_CODES[err.code] ?? 'malformed_update';
}
