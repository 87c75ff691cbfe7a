import { decodeAddress } from './address';
import { utf8Length } from './canonicalMsgpack';
import {
  HASH_HEX_PATTERN,
  MAX_MEMO_BYTES,
  MAX_REFERENCE_BYTES,
  MAX_SUPPLY,
  MAX_UINT64,
  TRANSFER_FEE,
  USERNAME_PATTERN,
} from './constants';
import { isValidPublicKey } from './ed25519';
import { LedgerError } from './errors';
import { MINT_REASONS, type Transaction, TX_TYPES, type TxType } from './transaction';

/** Field shape of each type (spec §2). */
const SHAPE: Record<
  TxType,
  { to: boolean; amount: boolean; fee: bigint; reference: 'id' | 'username' | 'required' | 'free' }
> = {
  MINT: { to: true, amount: true, fee: 0n, reference: 'required' },
  TRANSFER: { to: true, amount: true, fee: TRANSFER_FEE, reference: 'free' },
  VERIFY: { to: false, amount: false, fee: 0n, reference: 'id' },
  REPORT: { to: false, amount: false, fee: 0n, reference: 'id' },
  REVERSAL: { to: true, amount: true, fee: 0n, reference: 'id' },
  REGISTER: { to: false, amount: false, fee: 0n, reference: 'username' },
};

/**
 * Checks every rule of a transaction that needs no ledger state (spec §2, §5): known type,
 * amounts and fee per type, address format and key validity of `to`, sender ≠ recipient,
 * nonce and timestamp range, reason, reference and memo. Does not check the signature,
 * balances, nonce order or authority; see `applyTransaction`.
 * @throws {LedgerError} the first violated rule.
 */
export function checkTransactionFields(tx: Transaction): void {
  checkFields(tx, undefined);
}

/**
 * {@link checkTransactionFields} for a transaction just decoded from bytes: `from` came from a
 * 32-byte key and `toKey` is the key of `to` (`null` when absent), so neither is decoded again.
 * @throws {LedgerError} the first violated rule.
 */
export function checkDecodedTransactionFields(tx: Transaction, toKey: Uint8Array | null): void {
  checkFields(tx, toKey);
}

/** `toKey`: the decoded key of `tx.to`, or `undefined` to decode both addresses here. */
function checkFields(tx: Transaction, toKey: Uint8Array | null | undefined): void {
  if (!(TX_TYPES as readonly string[]).includes(tx.type)) {
    throw new LedgerError('UNKNOWN_TYPE', 'Unknown transaction type.', {
      details: `got ${JSON.stringify(tx.type)}`,
    });
  }
  const shape = SHAPE[tx.type];
  if (toKey === undefined) decodeAddress(tx.from);

  if (shape.to) {
    if (tx.to === null) {
      throw new LedgerError('INVALID_ADDRESS', `${tx.type} needs a recipient.`);
    }
    if (!isValidPublicKey(toKey ?? decodeAddress(tx.to))) {
      throw new LedgerError('INVALID_ADDRESS', 'Recipient is not a valid Ed25519 public key.', {
        details: tx.to,
      });
    }
    if (tx.to === tx.from) {
      throw new LedgerError('SELF_TRANSFER', 'Sender and recipient are the same address.', {
        details: tx.to,
      });
    }
  } else if (tx.to !== null) {
    throw new LedgerError('INVALID_ADDRESS', `${tx.type} has no recipient.`, { details: String(tx.to) });
  }

  if (typeof tx.amount !== 'bigint') {
    throw new LedgerError('INVALID_AMOUNT', 'Amount must be a bigint of base units.');
  }
  if (shape.amount) {
    if (tx.amount <= 0n || tx.amount > MAX_SUPPLY) {
      throw new LedgerError('INVALID_AMOUNT', `${tx.type} amount must be in [1, MAX_SUPPLY] base units.`, {
        details: `got ${tx.amount}`,
      });
    }
  } else if (tx.amount !== 0n) {
    throw new LedgerError('INVALID_AMOUNT', `${tx.type} amount must be 0.`, { details: `got ${tx.amount}` });
  }

  if (tx.fee !== shape.fee) {
    throw new LedgerError('INVALID_FEE', `${tx.type} fee must be ${shape.fee} base units.`, {
      details: `got ${String(tx.fee)}`,
    });
  }

  if (typeof tx.nonce !== 'bigint' || tx.nonce < 0n || tx.nonce > MAX_UINT64) {
    throw new LedgerError('INVALID_NONCE', 'Nonce must be a bigint in [0, 2^64 - 1].', {
      details: `got ${String(tx.nonce)}`,
    });
  }
  if (!Number.isSafeInteger(tx.timestamp) || tx.timestamp < 0) {
    throw new LedgerError('INVALID_TIMESTAMP', 'Timestamp must be a non-negative integer of ms.', {
      details: `got ${String(tx.timestamp)}`,
    });
  }

  if (tx.type === 'MINT') {
    if (!(MINT_REASONS as readonly string[]).includes(tx.reason)) {
      throw new LedgerError('INVALID_REASON', 'MINT reason must be training, fast_bonus or inference.', {
        details: `got ${JSON.stringify(tx.reason)}`,
      });
    }
  } else if (tx.reason !== '') {
    throw new LedgerError('INVALID_REASON', `${tx.type} has no reason.`, {
      details: `got ${JSON.stringify(tx.reason)}`,
    });
  }

  for (const field of ['reason', 'reference', 'memo'] as const) {
    if (typeof tx[field] !== 'string' || utf8Length(tx[field]) < 0) {
      throw new LedgerError('ENCODING_MALFORMED', `Field "${field}" is not a well-formed Unicode string.`);
    }
  }
  if (utf8Length(tx.reference) > MAX_REFERENCE_BYTES) {
    throw new LedgerError(
      'INVALID_REFERENCE',
      `Reference must be at most ${MAX_REFERENCE_BYTES} UTF-8 bytes.`,
    );
  }
  switch (shape.reference) {
    case 'id':
      if (!HASH_HEX_PATTERN.test(tx.reference)) {
        throw new LedgerError('INVALID_REFERENCE', `${tx.type} reference must be a transaction id.`, {
          details: `got ${JSON.stringify(tx.reference)}`,
        });
      }
      break;
    case 'username':
      if (!USERNAME_PATTERN.test(tx.reference)) {
        throw new LedgerError('INVALID_USERNAME', 'Username must match [a-z0-9_]{3,32}.', {
          details: `got ${JSON.stringify(tx.reference)}`,
        });
      }
      break;
    case 'required':
      if (tx.reference === '') {
        throw new LedgerError('INVALID_REFERENCE', 'MINT reference (round or request id) is empty.');
      }
      break;
    case 'free':
      break;
  }

  if (utf8Length(tx.memo) > MAX_MEMO_BYTES) {
    throw new LedgerError('MEMO_TOO_LONG', `Memo must be at most ${MAX_MEMO_BYTES} UTF-8 bytes.`);
  }
}
