import type { CheckResult, RejectionCode } from './checkResult';

/** The checks, in the order they run. */
export type CheckName =
  | 'payload'
  | 'rate_identity'
  | 'rate_connection'
  | 'rate_ip'
  | 'signature'
  | 'claim'
  | 'replay'
  | 'num_samples'
  | 'finite'
  | 'norm'
  | 'copy'
  | 'consensus'
  | 'accepted_cap'
  | 'validation';

/** One check's outcome in a report. `skipped` when an earlier check already rejected (or no proof was required). */
export interface CheckRecord {
  check: CheckName;
  status: 'pass' | 'fail' | 'skipped';
  value: unknown;
  reason?: RejectionCode;
  message?: string;
}

/** Everything the coordinator decided about one submission. */
export interface ContributionReport {
  clientId: string;
  round: number;
  /** counted in the aggregate */
  accepted: boolean;
  /** why not accepted (the first failing check), else null */
  reason: RejectionCode | null;
  message: string | null;
  checks: CheckRecord[];
  /** n_k as submitted (0 when the update could not be read) */
  numSamples: number;
  /** capped LossBonus (0 unless accepted) */
  lossBonus: number;
  /** n_k × (1 + LossBonus), the score handed to the round (0 unless accepted) */
  score: number;
  /** task sent → update received, as the coordinator measured it. ms */
  elapsedMs: number | null;
  /** what it earns without a round budget: training + fast bonus. base units */
  reward: { training: bigint; fastBonus: bigint; total: bigint };
  /** set at settlement when an accepted update's reward is withdrawn (e.g. free rider against the final median) */
  rewardWithheld: { reason: RejectionCode; message: string } | null;
}

/** Every check, in the order the judge runs them. */
export const CHECK_ORDER: readonly CheckName[] = [
  'payload',
  'rate_connection',
  'rate_ip',
  'signature',
  'rate_identity',
  'claim',
  'replay',
  'num_samples',
  'finite',
  'norm',
  'copy',
  'consensus',
  'accepted_cap',
  'validation',
];

/** `checks` plus a `skipped` record for every check that did not run, in {@link CHECK_ORDER}. */
export function completeChecks(checks: readonly CheckRecord[]): CheckRecord[] {
  const byName = new Map(checks.map((c) => [c.check, c]));
  return CHECK_ORDER.map((name) => byName.get(name) ?? { check: name, status: 'skipped', value: null });
}

/** A {@link CheckRecord} from a {@link CheckResult}. */
export function checkRecord<V>(check: CheckName, r: CheckResult<V>): CheckRecord {
  return r.accepted
    ? { check, status: 'pass', value: r.value }
    : { check, status: 'fail', value: r.value, reason: r.reason, message: r.message };
}

/** A report of a submission rejected with `reason` (no reward). */
export function rejectedReport(
  base: { clientId: string; round: number; numSamples: number; elapsedMs: number | null },
  checks: CheckRecord[],
  reason: RejectionCode,
  message: string,
): ContributionReport {
  return {
    ...base,
    accepted: false,
    reason,
    message,
    checks: completeChecks(checks),
    lossBonus: 0,
    score: 0,
    reward: { training: 0n, fastBonus: 0n, total: 0n },
    rewardWithheld: null,
  };
}
