import type { Address } from '@ailo/ledger';
import type { PocConfig } from './config';
import { contributionScore, fastBonus, lossBonusBps, splitBudget, trainingReward } from './trainingReward';

/** One accepted contribution as the coordinator recorded it, ready to be paid. */
export interface AcceptedContribution {
  recipient: Address;
  round: number;
  deltaHash: string;
  numSamples: number;
  lossBonus: number;
  /** task sent → update received, measured by the coordinator. ms */
  elapsedMs?: number;
  /** false when a settlement-time check (e.g. the final median norm) withdrew the reward */
  eligible: boolean;
}

/** What one contribution earns. base units */
export interface RewardLine {
  recipient: Address;
  round: number;
  deltaHash: string;
  numSamples: number;
  lossBonusBps: bigint;
  fast: boolean;
  training: bigint;
  fastBonus: bigint;
  total: bigint;
}

/**
 * Rewards of a round's accepted contributions. Without a budget each earns
 * `BaseRate × n_k × (1 + LossBonus)` plus the fast bonus; with `rewards.budgetPerRound` the
 * budget is split by {@link contributionScore} (fast share included), so the total never
 * exceeds the budget and splitting identities earns nothing extra. Ineligible entries earn 0. Pure.
 */
export function settleRound(entries: readonly AcceptedContribution[], config: PocConfig): RewardLine[] {
  const r = config.rewards;
  const fast = entries.map((e) => e.eligible && fastBonus(e.elapsedMs, true, r) > 0n);
  let training: bigint[];
  let bonus: bigint[];
  if (r.budgetPerRound === undefined) {
    training = entries.map((e) => (e.eligible ? trainingReward(e.numSamples, e.lossBonus, r.baseRate) : 0n));
    bonus = fast.map((f) => (f ? r.fastBonus : 0n));
  } else {
    const scores = entries.map((e, i) =>
      e.eligible ? contributionScore(e.numSamples, e.lossBonus, fast[i]!, r) : 0n,
    );
    const shares = splitBudget(r.budgetPerRound, scores);
    // the fast part of a share is its fast multiplier's excess: share × (m − 1) / m
    training = shares.map((s, i) => {
      if (!fast[i]) return s;
      const plain = contributionScore(entries[i]!.numSamples, entries[i]!.lossBonus, false, r);
      return plain > 0n ? (s * plain) / scores[i]! : s;
    });
    bonus = shares.map((s, i) => s - training[i]!);
  }
  return entries.map((e, i) => ({
    recipient: e.recipient,
    round: e.round,
    deltaHash: e.deltaHash,
    numSamples: e.numSamples,
    lossBonusBps: e.eligible ? lossBonusBps(e.lossBonus) : 0n,
    fast: fast[i]!,
    training: training[i]!,
    fastBonus: bonus[i]!,
    total: training[i]! + bonus[i]!,
  }));
}
