import { decodeAddress, verifyStrict } from '@ailo/ledger';
import { accept, type CheckResult, reject } from './checkResult';
import { type ContributionProof, contributionSigningBytes } from './contributionProof';

/** What {@link checkSignature} measured. */
export interface SignatureValue {
  signer: string;
}

/**
 * Check 1a: the proof's Ed25519 signature over {@link contributionSigningBytes} verifies under
 * the signer's key, with the ledger's one strict rule (RFC 8032, small-order keys rejected).
 * Pure; never throws.
 * @returns `bad_signature` on a malformed signer, claim or signature, or a signature that does not verify
 */
export function checkSignature(proof: ContributionProof, chainId: string): CheckResult<SignatureValue> {
  const value = { signer: String(proof.signer) };
  let message: Uint8Array;
  let key: Uint8Array;
  try {
    key = decodeAddress(proof.signer);
    message = contributionSigningBytes(proof.claim, chainId);
  } catch (err) {
    return reject('bad_signature', `The proof is malformed: ${(err as Error).message.split('\n')[0]}`, value);
  }
  if (!(proof.signature instanceof Uint8Array) || !verifyStrict(proof.signature, message, key)) {
    return reject('bad_signature', 'The contribution signature does not verify under the signer key.', value);
  }
  return accept(value);
}
