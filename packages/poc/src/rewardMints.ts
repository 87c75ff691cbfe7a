import {
  type Address,
  buildTransaction,
  type KeyPair,
  type MintReason,
  type SignedTransaction,
  signTransaction,
} from '@ailo/ledger';
import { PocError } from './errors';
import type { RewardLine } from './settleRound';

/** One MINT to issue: recipient, amount (base units), reason and reference. */
export interface RewardMint {
  to: Address;
  amount: bigint;
  reason: MintReason;
  /** `round/<t>/<delta hash>` for training and fast bonus, `infer/<request id>` for inference */
  reference: string;
}

/** Ledger reference of a training contribution: `round/<t>/<delta hash>` (≤ 128 bytes). */
export function trainingReference(round: number, deltaHash: string): string {
  return `round/${round}/${deltaHash}`;
}

/** The MINTs a round's reward lines call for: one `training` and one `fast_bonus` per line, zero amounts skipped. */
export function roundMints(lines: readonly RewardLine[]): RewardMint[] {
  const out: RewardMint[] = [];
  for (const l of lines) {
    const reference = trainingReference(l.round, l.deltaHash);
    if (l.training > 0n) out.push({ to: l.recipient, amount: l.training, reason: 'training', reference });
    if (l.fastBonus > 0n) out.push({ to: l.recipient, amount: l.fastBonus, reason: 'fast_bonus', reference });
  }
  return out;
}

/** Who signs the MINTs and with which nonces. */
export interface MintSigner {
  /** the chain's coordinator key (only it may MINT) */
  coordinator: KeyPair;
  chainId: string;
  /** nonce of the first transaction; each next one adds 1 */
  firstNonce: bigint;
  /** ms since the epoch; default `Date.now()` */
  timestamp?: number;
}

/**
 * Builds and signs MINT transactions with `@ailo/ledger` (its field rules and encoding).
 * @throws PocError `INVALID_INPUT` when a mint breaks a ledger field rule (`cause` is the LedgerError)
 */
export function mintTransactions(mints: readonly RewardMint[], signer: MintSigner): SignedTransaction[] {
  const timestamp = signer.timestamp ?? Date.now();
  return mints.map((m, i) => {
    try {
      const tx = buildTransaction({
        type: 'MINT',
        from: signer.coordinator.address,
        to: m.to,
        amount: m.amount,
        nonce: signer.firstNonce + BigInt(i),
        timestamp,
        reason: m.reason,
        reference: m.reference,
      });
      return signTransaction(tx, signer.coordinator, signer.chainId);
    } catch (cause) {
      throw new PocError('INVALID_INPUT', `Mint ${i} cannot be issued.`, { cause, meta: { index: i } });
    }
  });
}
