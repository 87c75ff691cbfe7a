/** How often the pages poll the coordinator's `/health`. ms */
export const STATUS_POLL_MS = 2_000;

/** Longest wait between two reconnection attempts to an unreachable coordinator. ms */
export const RECONNECT_MAX_MS = 10_000;

/** IndexedDB database of cached model chunks (one object store; keys are `<version>/<chunk file>`). */
export const CHUNK_DB_NAME = 'ailo-chunks';

/** localStorage key of the wallet's Ed25519 secret key (hex). */
export const WALLET_KEY_STORAGE = 'ailo.wallet.secretKey';

/** IndexedDB database (browser-level) of the wallet's verified ledger copy. */
export const LEDGER_DB_PREFIX = 'ailo-ledger-';

/** Confirmations a transfer needs before its units are spendable (spec ledger §8: 10 VERIFY votes). */
export const CONFIRMATIONS_NEEDED = 10;

/** Tokens a chat reply may have at most. */
export const CHAT_MAX_TOKENS = 24;
