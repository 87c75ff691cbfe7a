import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { decodeAddress } from './address';
import { checkTransactionFields } from './checkTransactionFields';
import { SIGNATURE_BYTES } from './constants';
import { joinSignature, transactionId, transactionSigningBytes } from './encodeTransaction';
import { LedgerError } from './errors';
import type { SignedTransaction, Transaction } from './transaction';
import { unitsFromJson, unitsToJson } from './units';

/** JSON form of a signed transaction (spec §11): integers of base units as decimal strings. */
export interface TransactionJson {
  id: string;
  type: string;
  from: string;
  to: string | null;
  amount: string;
  fee: string;
  nonce: string;
  timestamp: number;
  reason: string;
  reference: string;
  memo: string;
  /** 128 lowercase hex digits. */
  signature: string;
}

/** Converts a signed transaction to its JSON form. */
export function transactionToJson(stx: SignedTransaction): TransactionJson {
  const { tx } = stx;
  return {
    id: stx.id,
    type: tx.type,
    from: tx.from,
    to: tx.to,
    amount: unitsToJson(tx.amount),
    fee: unitsToJson(tx.fee),
    nonce: unitsToJson(tx.nonce),
    timestamp: tx.timestamp,
    reason: tx.reason,
    reference: tx.reference,
    memo: tx.memo,
    signature: bytesToHex(stx.signature),
  };
}

/**
 * Rebuilds a signed transaction from JSON for `chainId`; re-encodes the canonical bytes and
 * checks that `id`, when present, matches. Does not verify the signature.
 * @throws {LedgerError} a field-rule code, or `ENCODING_MALFORMED` for a bad signature or id.
 */
export function transactionFromJson(json: TransactionJson, chainId: string): SignedTransaction {
  if (json === null || typeof json !== 'object') {
    throw new LedgerError('ENCODING_MALFORMED', 'Transaction JSON must be an object.');
  }
  const tx: Transaction = {
    type: json.type as Transaction['type'],
    from: json.from as Transaction['from'],
    to: (json.to ?? null) as Transaction['to'],
    amount: unitsFromJson(json.amount, 'amount'),
    fee: unitsFromJson(json.fee, 'fee'),
    nonce: unitsFromJson(json.nonce, 'nonce'),
    timestamp: json.timestamp,
    reason: json.reason as Transaction['reason'],
    reference: json.reference,
    memo: json.memo,
  };
  checkTransactionFields(tx);
  if (typeof json.signature !== 'string' || !/^[0-9a-f]{128}$/.test(json.signature)) {
    throw new LedgerError(
      'ENCODING_MALFORMED',
      `Signature must be ${SIGNATURE_BYTES * 2} lowercase hex digits.`,
    );
  }
  const signingBytes = transactionSigningBytes(tx, chainId);
  const bytes = joinSignature(signingBytes, hexToBytes(json.signature));
  const id = transactionId(bytes);
  if (json.id !== undefined && json.id !== id) {
    throw new LedgerError('ENCODING_MALFORMED', 'Transaction id does not match its content.', {
      details: `given ${json.id}, computed ${id}`,
    });
  }
  return {
    tx,
    signature: bytes.subarray(signingBytes.length),
    bytes,
    signingBytes: bytes.subarray(0, signingBytes.length),
    id,
    fromKey: decodeAddress(tx.from),
  };
}
