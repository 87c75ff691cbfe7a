import { addressKey } from './address';
import { MsgpackWriter } from './canonicalMsgpack';
import { SIGNATURE_BYTES, TX_DOMAIN } from './constants';
import { digestHex } from './digestHex';
import { domainPrefix } from './domainPrefix';
import { sha256 } from './sha256';
import type { Transaction } from './transaction';

/** Number of elements of the signed field array (spec §3). */
export const TX_FIELD_COUNT = 10;

/**
 * Signing bytes of a transaction (spec §3):
 * `UTF-8("ailo-tx-v1") ‖ 0x00 ‖ UTF-8(chainId) ‖ 0x00 ‖ msgpack([type, from, to, amount, fee,
 * nonce, timestamp, reason, reference, memo])` with `from`/`to` as 32-byte bin (`to` nil when
 * absent) and integers in their shortest form. Does not validate fields; see
 * `checkTransactionFields`.
 */
export function transactionSigningBytes(tx: Transaction, chainId: string): Uint8Array {
  const w = new MsgpackWriter(320);
  w.raw(domainPrefix(TX_DOMAIN, chainId));
  w.array(TX_FIELD_COUNT);
  w.str(tx.type);
  w.bin(addressKey(tx.from));
  if (tx.to === null) w.nil();
  else w.bin(addressKey(tx.to));
  w.uint(tx.amount);
  w.uint(tx.fee);
  w.uint(tx.nonce);
  w.uint(tx.timestamp);
  w.str(tx.reason);
  w.str(tx.reference);
  w.str(tx.memo);
  return w.finish();
}

/** Wire bytes of a signed transaction: signing bytes ‖ 64-byte signature (spec §3). */
export function joinSignature(signingBytes: Uint8Array, signature: Uint8Array): Uint8Array {
  const out = new Uint8Array(signingBytes.length + SIGNATURE_BYTES);
  out.set(signingBytes, 0);
  out.set(signature, signingBytes.length);
  return out;
}

/** Transaction id: lowercase hex of sha256(wire bytes) (spec §4). */
export function transactionId(wireBytes: Uint8Array): string {
  return digestHex(sha256(wireBytes));
}
