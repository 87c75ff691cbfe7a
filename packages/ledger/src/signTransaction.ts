import type { Address } from './address';
import { checkTransactionFields } from './checkTransactionFields';
import { TRANSFER_FEE } from './constants';
import { joinSignature, transactionId, transactionSigningBytes } from './encodeTransaction';
import { LedgerError } from './errors';
import { type KeyPair, signBytes } from './keys';
import type { MintReason, SignedTransaction, Transaction, TxType } from './transaction';

/** Fields of {@link buildTransaction}; everything but `type`, `from` and `nonce` has a default. */
export interface TransactionInput {
  type: TxType;
  from: Address;
  nonce: bigint;
  to?: Address | null;
  amount?: bigint;
  /** Defaults to `TRANSFER_FEE` for TRANSFER and 0 otherwise. */
  fee?: bigint;
  /** Defaults to `Date.now()`. */
  timestamp?: number;
  reason?: MintReason | '';
  reference?: string;
  memo?: string;
}

/** Fills defaults and checks the stateless field rules. @throws {LedgerError} */
export function buildTransaction(input: TransactionInput): Transaction {
  const tx: Transaction = {
    type: input.type,
    from: input.from,
    to: input.to ?? null,
    amount: input.amount ?? 0n,
    fee: input.fee ?? (input.type === 'TRANSFER' ? TRANSFER_FEE : 0n),
    nonce: input.nonce,
    timestamp: input.timestamp ?? Date.now(),
    reason: input.reason ?? '',
    reference: input.reference ?? '',
    memo: input.memo ?? '',
  };
  checkTransactionFields(tx);
  return tx;
}

/**
 * Signs a transaction for `chainId` with the key of `tx.from`.
 * @throws {LedgerError} a field-rule code, or `INVALID_KEY` when `signer` is not `tx.from`.
 */
export function signTransaction(tx: Transaction, signer: KeyPair, chainId: string): SignedTransaction {
  checkTransactionFields(tx);
  if (signer.address !== tx.from) {
    throw new LedgerError('INVALID_KEY', 'The signing key is not the key of "from".', {
      details: `from ${tx.from}, key ${signer.address}`,
    });
  }
  const signingBytes = transactionSigningBytes(tx, chainId);
  const signature = signBytes(signingBytes, signer.secretKey);
  const bytes = joinSignature(signingBytes, signature);
  return {
    tx: { ...tx },
    signature: bytes.subarray(signingBytes.length),
    bytes,
    signingBytes: bytes.subarray(0, signingBytes.length),
    id: transactionId(bytes),
    fromKey: signer.publicKey,
  };
}
