/**
 * Why a contribution earns nothing. A closed set; each check returns at most the codes listed
 * in its documentation.
 */
export type RejectionCode =
  /** the update file is larger than the model's update can be */
  | 'payload_too_large'
  /** the update does not fit the model (names, shapes, dtype, file format) */
  | 'malformed_update'
  /** too many attempts from this identity, connection or IP (see `value.scope`) */
  | 'rate_limited'
  /** no signed contribution proof came with the update */
  | 'missing_proof'
  /** the Ed25519 signature does not verify */
  | 'bad_signature'
  /** the proof was signed by another identity than the submitter */
  | 'signer_mismatch'
  /** the proof or update names another round */
  | 'wrong_round'
  /** the proof or update names another base model */
  | 'wrong_base'
  /** the signed update hash is not the hash of the submitted update */
  | 'update_hash_mismatch'
  /** the signed n_k is not the submitted n_k */
  | 'num_samples_mismatch'
  /** the nonce is not above the identity's last one (a replayed proof) */
  | 'stale_nonce'
  /** this exact update was submitted before (an earlier round or another identity) */
  | 'replayed_update'
  /** n_k exceeds the data assigned to the client or the configured maximum */
  | 'num_samples_exceeds_cap'
  /** the update holds NaN or ±Infinity */
  | 'non_finite'
  /** the update is zero or far smaller than the round's updates (free riding) */
  | 'free_rider'
  /** the update norm is far above the round's median */
  | 'norm_too_large'
  /** the update is a near-copy of another submission, an earlier update or the last global step */
  | 'copied_update'
  /** the update points against the mean of the round's accepted updates (sign flip) */
  | 'opposes_consensus'
  /** applying the update alone raises the held-out validation loss beyond the tolerance */
  | 'loss_increased'
  /** accepted into the average (within tolerance) but applying it alone does not lower the held-out loss: no reward */
  | 'no_improvement'
  /** the held-out validation could not run (see the message) */
  | 'validation_failed'
  /** the identity already submitted a different update this round */
  | 'duplicate_submission'
  /** the update arrived after the round stopped accepting */
  | 'late_submission';

/** A passed check and the value it measured. */
export interface Accept<V> {
  readonly accepted: true;
  readonly value: V;
}

/** A failed check: the typed reason, a human-readable message and the value it measured. */
export interface Reject<V> {
  readonly accepted: false;
  readonly reason: RejectionCode;
  readonly message: string;
  readonly value: V;
}

/** Outcome of one pure check. */
export type CheckResult<V> = Accept<V> | Reject<V>;

/** Builds an {@link Accept}. */
export function accept<V>(value: V): Accept<V> {
  return { accepted: true, value };
}

/** Builds a {@link Reject}. */
export function reject<V>(reason: RejectionCode, message: string, value: V): Reject<V> {
  return { accepted: false, reason, message, value };
}
