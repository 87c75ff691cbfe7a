import type { PocConfig } from './config';
import { BPS, TYPICAL_LOSS_BONUS, TYPICAL_NUM_SAMPLES } from './constants';

/** LossBonus in basis points, floored: the only float-to-integer step before bigint arithmetic. */
export function lossBonusBps(bonus: number): bigint {
  if (!(bonus > 0)) return 0n;
  return BigInt(Math.floor(bonus * Number(BPS)));
}

/**
 * `Reward = BaseRate × BatchSize × (1 + LossBonus)` in base units (Design §PoC), with
 * BatchSize = n_k and LossBonus quantised to basis points; floored.
 */
export function trainingReward(numSamples: number, bonus: number, baseRate: bigint): bigint {
  return (baseRate * BigInt(numSamples) * (BPS + lossBonusBps(bonus))) / BPS;
}

/** What a typical accepted submission earns under `rewards` (≈ 0.1 ALC with the defaults). base units */
export function typicalTrainingReward(rewards: Pick<PocConfig['rewards'], 'baseRate'>): bigint {
  return trainingReward(TYPICAL_NUM_SAMPLES, TYPICAL_LOSS_BONUS, rewards.baseRate);
}

/**
 * The fast bonus: `rewards.fastBonus` when the coordinator measured less than
 * `rewards.fastWindowMs` between sending the task and receiving the update, and only for an
 * accepted update. The client cannot influence either timestamp. base units
 */
export function fastBonus(
  elapsedMs: number | undefined,
  accepted: boolean,
  rewards: PocConfig['rewards'],
): bigint {
  if (!accepted || elapsedMs === undefined || !(elapsedMs >= 0) || !(elapsedMs < rewards.fastWindowMs))
    return 0n;
  return rewards.fastBonus;
}

/**
 * Score used to split a fixed round budget: n_k × (1 + LossBonus) × (1 + fast share), in
 * basis-point units. The fast bonus becomes a multiplier (its ratio to a typical reward) so
 * the score stays additive in data: splitting one machine's samples across identities never
 * raises the group's total score.
 */
export function contributionScore(
  numSamples: number,
  bonus: number,
  fast: boolean,
  rewards: PocConfig['rewards'],
): bigint {
  const typical = typicalTrainingReward(rewards);
  const fastBps = fast && typical > 0n ? (rewards.fastBonus * BPS) / typical : 0n;
  return BigInt(numSamples) * (BPS + lossBonusBps(bonus)) * (BPS + fastBps);
}

/** Splits `budget` in proportion to `scores`, each share floored (the remainder is not minted). base units */
export function splitBudget(budget: bigint, scores: readonly bigint[]): bigint[] {
  const total = scores.reduce((a, b) => a + b, 0n);
  if (total <= 0n) return scores.map(() => 0n);
  return scores.map((s) => (s > 0n ? (budget * s) / total : 0n));
}
