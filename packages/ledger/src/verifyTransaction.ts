import { LedgerError } from './errors';
import { portableVerifier, type SignatureVerifier } from './signatureVerifier';
import type { SignedTransaction } from './transaction';

/**
 * Verifies the signature of a decoded transaction under the one rule (spec §4).
 * @throws {LedgerError} `BAD_SIGNATURE`
 */
export function verifyTransaction(
  stx: SignedTransaction,
  verifier: SignatureVerifier = portableVerifier,
): void {
  if (!verifier.verify(stx.signature, stx.signingBytes, stx.fromKey)) {
    throw new LedgerError('BAD_SIGNATURE', 'Transaction signature is invalid.', {
      details: `${stx.tx.type} ${stx.id} from ${stx.tx.from}`,
    });
  }
}
