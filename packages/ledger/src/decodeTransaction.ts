import { encodeAddress } from './address';
import { MsgpackReader } from './canonicalMsgpack';
import { checkTransactionFields } from './checkTransactionFields';
import { MAX_TX_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TX_DOMAIN } from './constants';
import { expectDomainPrefix } from './domainPrefix';
import { TX_FIELD_COUNT, transactionId } from './encodeTransaction';
import { LedgerError } from './errors';
import {
  type MintReason,
  type SignedTransaction,
  type Transaction,
  TX_TYPES,
  type TxType,
} from './transaction';

/**
 * Decodes and checks the wire bytes of a signed transaction (spec §3): size, domain tag,
 * chain id, canonical MessagePack, field rules (string limits are enforced by those rules, after
 * the overall size limit). The signature is split off but NOT verified;
 * see `verifyTransaction`.
 * @throws {LedgerError} `ENCODING_*`, `WRONG_DOMAIN`, `WRONG_CHAIN` or a field-rule code.
 */
export function decodeTransaction(input: Uint8Array, chainId: string): SignedTransaction {
  if (!(input instanceof Uint8Array)) {
    throw new LedgerError('ENCODING_MALFORMED', 'Transaction bytes must be a Uint8Array.');
  }
  if (input.length > MAX_TX_BYTES) {
    throw new LedgerError('ENCODING_OVERSIZED', 'Transaction is too large.', {
      details: `${input.length} bytes, limit ${MAX_TX_BYTES}`,
    });
  }
  const bytes = input.slice(); // own copy: the result keeps views into it
  const start = expectDomainPrefix(bytes, TX_DOMAIN, chainId);
  if (bytes.length < start + SIGNATURE_BYTES) {
    throw new LedgerError('ENCODING_TRUNCATED', 'Transaction is shorter than its signature.');
  }
  const r = new MsgpackReader(bytes, start, bytes.length - SIGNATURE_BYTES);
  r.arrayExact(TX_FIELD_COUNT);
  const type = r.str(MAX_TX_BYTES);
  if (!(TX_TYPES as readonly string[]).includes(type)) {
    throw new LedgerError('UNKNOWN_TYPE', 'Unknown transaction type.', { details: JSON.stringify(type) });
  }
  const fromKey = r.binExact(PUBLIC_KEY_BYTES);
  const toKey = r.peek() === 'nil' ? r.nil() : r.binExact(PUBLIC_KEY_BYTES);
  const tx: Transaction = {
    type: type as TxType,
    from: encodeAddress(fromKey),
    to: toKey === null ? null : encodeAddress(toKey),
    amount: r.uint(),
    fee: r.uint(),
    nonce: r.uint(),
    timestamp: r.safeUint(),
    reason: r.str(MAX_TX_BYTES) as MintReason | '',
    reference: r.str(MAX_TX_BYTES),
    memo: r.str(MAX_TX_BYTES),
  };
  r.expectEnd();
  checkTransactionFields(tx);
  const signingEnd = bytes.length - SIGNATURE_BYTES;
  return {
    tx,
    signature: bytes.subarray(signingEnd),
    bytes,
    signingBytes: bytes.subarray(0, signingEnd),
    id: transactionId(bytes),
    fromKey,
  };
}
