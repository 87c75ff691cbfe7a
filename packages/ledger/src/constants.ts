/**
 * Ledger constants. Each one names the clause of `spec/ledger.md` it comes from;
 * changing any of them changes consensus.
 */

/** Base units per ALC (spec §1 Units). Amounts are `bigint` base units everywhere. */
export const UNITS_PER_ALC = 100_000_000n;

/** Decimal places of one ALC (spec §1 Units). */
export const ALC_DECIMALS = 8;

/** Hard cap on total minted units, 10^10 ALC (spec §1 Units); keeps every sum below 2^63. */
export const MAX_SUPPLY = 10_000_000_000n * UNITS_PER_ALC;

/** Largest value of any unsigned integer field (spec §3 Encoding): 2^64 − 1. */
export const MAX_UINT64 = (1n << 64n) - 1n;

/** Fee of one TRANSFER in base units: 0.01 ALC (spec §6 Fees). */
export const TRANSFER_FEE = 1_000_000n;

/** Default share of each fee that is burned, in basis points: 50% (spec §6 Fees). */
export const DEFAULT_BURN_SHARE_BPS = 5_000;

/** Basis points in 100% (spec §6 Fees). */
export const BPS_DENOMINATOR = 10_000;

/** Distinct VERIFY votes that make a TRANSFER spendable and final (spec §7 Confirmations). */
export const CONFIRMATIONS_REQUIRED = 10;

/** Reversal quorum: reports from at least 51% of eligible active nodes (spec §8 Reversal). */
export const REVERSAL_QUORUM_PERCENT = 51;

/** Default window in which a verified contribution makes a node active: 24 h in ms (spec §8). */
export const DEFAULT_ACTIVE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** Default allowed clock skew into the future for transactions and blocks: 2 min in ms (spec §5). */
export const DEFAULT_MAX_FUTURE_SKEW_MS = 2 * 60 * 1000;

/** Longest memo in UTF-8 bytes (spec §2 Fields). */
export const MAX_MEMO_BYTES = 256;

/** Longest reference in UTF-8 bytes (spec §2 Fields). */
export const MAX_REFERENCE_BYTES = 128;

/** Longest chain id in UTF-8 bytes (spec §3 Encoding). */
export const MAX_CHAIN_ID_BYTES = 64;

/** Chain id alphabet (spec §3 Encoding). */
export const CHAIN_ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Username alphabet and length (spec §2 REGISTER). */
export const USERNAME_PATTERN = /^[a-z0-9_]{3,32}$/;

/** Transaction id / block hash as text: 64 lowercase hex digits (spec §4). */
export const HASH_HEX_PATTERN = /^[0-9a-f]{64}$/;

/** Largest encoded signed transaction in bytes (spec §3 Encoding). */
export const MAX_TX_BYTES = 1024;

/** Most transactions in one block (spec §9 Blocks). */
export const MAX_BLOCK_TXS = 10_000;

/** Largest encoded block in bytes (spec §9 Blocks): MAX_BLOCK_TXS × MAX_TX_BYTES plus the header. */
export const MAX_BLOCK_BYTES = MAX_BLOCK_TXS * MAX_TX_BYTES + 4096;

/** Human-readable part of an address: `ailo1…` (spec §2 Addresses). */
export const ADDRESS_HRP = 'ailo';

/** Domain tag of transaction signing bytes (spec §3). */
export const TX_DOMAIN = 'ailo-tx-v1';

/** Domain tag of block header signing bytes (spec §9). */
export const BLOCK_DOMAIN = 'ailo-block-v1';

/** Domain tag of the genesis hash (spec §9). */
export const GENESIS_DOMAIN = 'ailo-genesis-v1';

/** Domain tag of the state hash (spec §10). */
export const STATE_DOMAIN = 'ailo-state-v1';

/** Ed25519 public key, signature and hash sizes in bytes. */
export const PUBLIC_KEY_BYTES = 32;
export const SECRET_KEY_BYTES = 32;
export const SIGNATURE_BYTES = 64;
export const HASH_BYTES = 32;
