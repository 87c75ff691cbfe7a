import { accept, type CheckResult, reject } from './checkResult';
import type { ContributionProof } from './contributionProof';

/** The facts the coordinator established about a submission, to compare with the signed claim. */
export interface SubmittedUpdate {
  /** the identity the update was submitted under (the round's client id) */
  clientId: string;
  /** the round being collected */
  round: number;
  /** hash of the round's base model M_t */
  base: string;
  /** modelHash of the received Δ_k */
  deltaHash: string;
  /** n_k of the received update */
  numSamples: number;
}

/**
 * Check 1b: the signed claim describes exactly this submission: same signer, the round being
 * collected, its base model, the received update's hash and n_k. A proof lifted from another
 * client or from an earlier round fails here. Pure.
 * @returns `signer_mismatch`, `wrong_round`, `wrong_base`, `update_hash_mismatch` or `num_samples_mismatch`
 */
export function checkClaim(proof: ContributionProof, s: SubmittedUpdate): CheckResult<SubmittedUpdate> {
  const c = proof.claim;
  if (proof.signer !== s.clientId) {
    return reject(
      'signer_mismatch',
      `The proof was signed by ${proof.signer}, not by the submitter ${s.clientId}.`,
      s,
    );
  }
  if (c.round !== s.round)
    return reject('wrong_round', `The proof is for round ${c.round}, this is round ${s.round}.`, s);
  if (c.base !== s.base)
    return reject('wrong_base', `The proof names base ${c.base}, the round's base is ${s.base}.`, s);
  if (c.deltaHash !== s.deltaHash) {
    return reject(
      'update_hash_mismatch',
      'The signed update hash is not the hash of the submitted update.',
      s,
    );
  }
  if (c.numSamples !== s.numSamples) {
    return reject(
      'num_samples_mismatch',
      `The proof signs n_k = ${c.numSamples}, the update carries ${s.numSamples}.`,
      s,
    );
  }
  return accept(s);
}
