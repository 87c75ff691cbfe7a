import { accept, type CheckResult, reject } from './checkResult';

/** Read-only memory of earlier submissions (see {@link ReplayGuard}). */
export interface ReplayView {
  /** highest nonce seen from this signer with a valid signature */
  lastNonce(signer: string): bigint | undefined;
  /** who first submitted an update with this hash, and in which round */
  firstSeen(deltaHash: string): { signer: string; round: number } | undefined;
}

/** What {@link checkReplay} compared. */
export interface ReplayValue {
  nonce: bigint;
  lastNonce: bigint | null;
  /** the earlier submission of the same update, if any */
  seen: { signer: string; round: number } | null;
}

/**
 * Check 1c: replay protection. The nonce must exceed the signer's last one (a captured proof
 * cannot be submitted twice), and the update itself must be new: the same Δ_k from an earlier
 * round or from another identity is a replay. Pure over `view`.
 * @returns `stale_nonce` or `replayed_update`
 */
export function checkReplay(
  p: { signer: string; nonce: bigint; deltaHash: string; round: number },
  view: ReplayView,
): CheckResult<ReplayValue> {
  const last = view.lastNonce(p.signer);
  const seen = view.firstSeen(p.deltaHash);
  const value: ReplayValue = { nonce: p.nonce, lastNonce: last ?? null, seen: seen ?? null };
  if (last !== undefined && p.nonce <= last) {
    return reject('stale_nonce', `Nonce ${p.nonce} is not above the signer's last nonce ${last}.`, value);
  }
  if (seen && (seen.round !== p.round || seen.signer !== p.signer)) {
    const where = seen.round !== p.round ? `in round ${seen.round}` : `by ${seen.signer}`;
    return reject('replayed_update', `This exact update was already submitted ${where}.`, value);
  }
  return accept(value);
}
