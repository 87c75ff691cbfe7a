/**
 * Every failure in `@ailo/ledger` is a {@link LedgerError}; branch on `code`, never on message text.
 * The codes are a closed set, listed in `spec/ledger.md` §12.
 */
export const LEDGER_ERROR_CODES = [
  // encoding (spec §3)
  'ENCODING_TRUNCATED',
  'ENCODING_OVERSIZED',
  'ENCODING_NON_CANONICAL',
  'ENCODING_MALFORMED',
  'WRONG_DOMAIN',
  'WRONG_CHAIN',
  // fields (spec §2, §5)
  'UNKNOWN_TYPE',
  'INVALID_AMOUNT',
  'INVALID_FEE',
  'INVALID_NONCE',
  'INVALID_TIMESTAMP',
  'INVALID_ADDRESS',
  'INVALID_USERNAME',
  'INVALID_REASON',
  'INVALID_REFERENCE',
  'MEMO_TOO_LONG',
  'INVALID_CHAIN_ID',
  'INVALID_KEY',
  'INVALID_ALC_AMOUNT',
  'SELF_TRANSFER',
  // signatures and authority (spec §4, §5)
  'BAD_SIGNATURE',
  'NOT_COORDINATOR',
  // state rules (spec §5–§8)
  'TIMESTAMP_IN_FUTURE',
  'INSUFFICIENT_FUNDS',
  'NONCE_NOT_INCREASING',
  'DUPLICATE_TRANSACTION',
  'SUPPLY_EXCEEDED',
  'UNKNOWN_TRANSFER',
  'NOT_ELIGIBLE',
  'NOT_ACTIVE',
  'ALREADY_VOTED',
  'ALREADY_CONFIRMED',
  'TRANSFER_DISPUTED',
  'TRANSFER_FINAL',
  'ALREADY_REVERSED',
  'NOT_REPORTED',
  'QUORUM_NOT_MET',
  'REVERSAL_MISMATCH',
  'USERNAME_TAKEN',
  'ALREADY_REGISTERED',
  'UNKNOWN_ACCOUNT',
  // blocks and chain (spec §9, §10)
  'BLOCK_HEIGHT_MISMATCH',
  'BLOCK_PREV_HASH_MISMATCH',
  'BLOCK_BAD_SIGNATURE',
  'BLOCK_TX_ROOT_MISMATCH',
  'BLOCK_STATE_HASH_MISMATCH',
  'BLOCK_TIMESTAMP',
  'BLOCK_TOO_LARGE',
  'BLOCK_INVALID_TX',
  'CONSERVATION_VIOLATED',
  'CHAIN_PARAMS_MISMATCH',
  'INVALID_CHAIN_PARAMS',
  'NOT_BLOCK_PRODUCER',
  'INVALID_HASH_FUNCTION',
  // storage
  'STORE_ERROR',
  'STORE_CORRUPT',
  'STORE_EMPTY',
  // key files (./node)
  'KEY_FILE_EXISTS',
  'KEY_FILE_MALFORMED',
  'KEY_FILE_PASSPHRASE_REQUIRED',
  'KEY_FILE_DECRYPT_FAILED',
] as const;

/** One of {@link LEDGER_ERROR_CODES}. */
export type LedgerErrorCode = (typeof LEDGER_ERROR_CODES)[number];

/** Options of {@link LedgerError}. */
export interface LedgerErrorOptions {
  /** Extra facts for a reader (field name, expected vs got); not for branching. */
  details?: string;
  /** The underlying error, when there is one. */
  cause?: unknown;
}

/**
 * The one error class of `@ailo/ledger` (viem-style): `shortMessage` is fit for users,
 * `details` adds facts, `cause` chains the underlying error.
 */
export class LedgerError extends Error {
  override name = 'LedgerError' as const;
  /** Closed-set error code; see {@link LEDGER_ERROR_CODES}. */
  readonly code: LedgerErrorCode;
  /** One sentence, no details. */
  readonly shortMessage: string;
  /** Extra facts, possibly empty. */
  readonly details: string;
  /** Spec section that defines the rule. */
  readonly docsPath = 'spec/ledger.md';

  constructor(code: LedgerErrorCode, shortMessage: string, options: LedgerErrorOptions = {}) {
    const details = options.details ?? '';
    super(details ? `${shortMessage}\n\nDetails: ${details}` : shortMessage, { cause: options.cause });
    this.code = code;
    this.shortMessage = shortMessage;
    this.details = details;
  }
}

/** True when `err` is a {@link LedgerError}, optionally with the given code. */
export function isLedgerError(err: unknown, code?: LedgerErrorCode): err is LedgerError {
  return err instanceof LedgerError && (code === undefined || err.code === code);
}
