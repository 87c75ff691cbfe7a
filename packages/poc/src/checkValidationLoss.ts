import { accept, type CheckResult, reject } from './checkResult';
import type { PocConfig } from './config';

/** What {@link checkValidationLoss} measured. Losses in nats per token. */
export interface LossValue {
  /** loss of M_t on the round's validation sample */
  baseLoss: number;
  /** loss of M_t − scale · Δ_k */
  candidateLoss: number;
  /** (base − candidate) / base: positive when Δ_k helps */
  relativeReduction: number;
  /** min(cap, gain × max(0, relativeReduction)) */
  lossBonus: number;
}

/** LossBonus of a relative loss reduction: min(cap, gain × max(0, r)). */
export function lossBonus(
  relativeReduction: number,
  v: Pick<PocConfig['validation'], 'bonusGain' | 'bonusCap'>,
): number {
  if (!(relativeReduction > 0)) return 0;
  return Math.min(v.bonusCap, v.bonusGain * relativeReduction);
}

/**
 * Check 3: applying Δ_k alone must not raise the held-out loss by more than `tolerance`
 * (relative); the relative reduction sets the capped LossBonus. Pure over the two losses.
 * An accepted update must still lower the loss by more than `minRewardedReduction` to earn
 * anything: see {@link checkImprovement}.
 * @returns `loss_increased` (also for a non-finite candidate loss)
 */
export function checkValidationLoss(
  baseLoss: number,
  candidateLoss: number,
  v: PocConfig['validation'],
): CheckResult<LossValue> {
  const relativeReduction = (baseLoss - candidateLoss) / baseLoss;
  const value: LossValue = {
    baseLoss,
    candidateLoss,
    relativeReduction: Number.isFinite(relativeReduction) ? relativeReduction : Number.NEGATIVE_INFINITY,
    lossBonus: Number.isFinite(relativeReduction) ? lossBonus(relativeReduction, v) : 0,
  };
  if (!Number.isFinite(candidateLoss) || !(candidateLoss <= baseLoss * (1 + v.tolerance))) {
    return reject(
      'loss_increased',
      `Applying the update raises the validation loss from ${baseLoss.toFixed(4)} to ${candidateLoss.toFixed(4)} (tolerance ${v.tolerance * 100} %).`,
      value,
    );
  }
  return accept(value);
}

/**
 * Reward condition of check 3: a contribution earns coins only when it really improves the
 * model, i.e. its relative loss reduction exceeds `minRewardedReduction`. Updates inside the
 * tolerance but without improvement (a weak sign-flipped update, noise, a zero update) are
 * averaged in yet earn nothing. Pure.
 * @returns `no_improvement`
 */
export function checkImprovement(loss: LossValue, v: PocConfig['validation']): CheckResult<LossValue> {
  if (!(loss.relativeReduction > v.minRewardedReduction)) {
    return reject(
      'no_improvement',
      `Applying the update alone changes the validation loss by ${(-loss.relativeReduction * 100).toFixed(3)} %; a reward needs a reduction above ${v.minRewardedReduction * 100} %.`,
      loss,
    );
  }
  return accept(loss);
}
