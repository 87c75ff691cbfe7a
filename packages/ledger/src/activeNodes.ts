import type { Address } from './address';
import { REVERSAL_QUORUM_PERCENT } from './constants';
import type { StateView, TransferRecord } from './ledgerState';

/**
 * A node is active at block time `now` (ms) when its last verified contribution (a MINT to it)
 * happened within `windowMs` before `now` (spec §8). A fresh identity has none and no vote.
 */
export function isActive(view: StateView, address: Address, now: number, windowMs: number): boolean {
  const t = view.account(address)?.lastContributionAt;
  return t !== undefined && t !== null && t >= now - windowMs;
}

/** Reporters of `record` that are active now, and the active nodes that may vote on it (everyone but its sender and recipient). */
export function reportTally(
  view: StateView,
  record: Readonly<TransferRecord>,
  now: number,
  windowMs: number,
): { votes: number; eligible: number } {
  const since = now - windowMs;
  let eligible = 0;
  for (const [address, t] of view.contributions()) {
    if (t >= since && address !== record.from && address !== record.to) eligible++;
  }
  let votes = 0;
  for (const r of record.reporters) if (isActive(view, r, now, windowMs)) votes++;
  return { votes, eligible };
}

/** Reversal quorum (spec §8): at least 51% of eligible active nodes reported, in exact integers. */
export function quorumReached(votes: number, eligible: number): boolean {
  return eligible > 0 && votes * 100 >= eligible * REVERSAL_QUORUM_PERCENT;
}
