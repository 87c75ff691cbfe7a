import { encodeAddress } from './address';
import { MsgpackReader } from './canonicalMsgpack';
import { checkDecodedTransactionFields } from './checkTransactionFields';
import { MAX_TX_BYTES, PUBLIC_KEY_BYTES, SIGNATURE_BYTES, TX_DOMAIN } from './constants';
import { digestHex } from './digestHex';
import { expectDomainPrefix } from './domainPrefix';
import { TX_FIELD_COUNT } from './encodeTransaction';
import { LedgerError } from './errors';
import { sha256 } from './sha256';
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
  checkSize(input);
  return decodeOwnedTransaction(input.slice(), chainId); // own copy: the result keeps views into it
}

/**
 * {@link decodeTransaction} without the defensive copy: the result keeps views into `bytes`,
 * which the caller hands over and must not change afterwards (a block decoder passes views into
 * its own copy of the block). When `digests` is given, the 32-byte id digest is pushed onto it.
 */
export function decodeOwnedTransaction(
  bytes: Uint8Array,
  chainId: string,
  digests?: Uint8Array[],
): SignedTransaction {
  checkSize(bytes);
  const start = expectDomainPrefix(bytes, TX_DOMAIN, chainId);
  if (bytes.length < start + SIGNATURE_BYTES) {
    throw new LedgerError('ENCODING_TRUNCATED', 'Transaction is shorter than its signature.');
  }
  const signingEnd = bytes.length - SIGNATURE_BYTES;
  const r = new MsgpackReader(bytes, start, signingEnd);
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
  checkDecodedTransactionFields(tx, toKey);
  const digest = sha256(bytes);
  digests?.push(digest);
  return {
    tx,
    signature: bytes.subarray(signingEnd),
    bytes,
    signingBytes: bytes.subarray(0, signingEnd),
    id: digestHex(digest),
    fromKey,
  };
}

function checkSize(bytes: Uint8Array): void {
  if (bytes.length > MAX_TX_BYTES) {
    throw new LedgerError('ENCODING_OVERSIZED', 'Transaction is too large.', {
      details: `${bytes.length} bytes, limit ${MAX_TX_BYTES}`,
    });
  }
}
