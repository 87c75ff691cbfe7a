/**
 * `@ailo/ledger`: AiloCoin transactions, blocks, confirmations, reversal and local
 * verification. Runs in Node and browsers; Node-only storage, the `node:crypto` verifier and
 * key files are in `@ailo/ledger/node`. The normative rules are in `spec/ledger.md`.
 * @module
 */
export { isActive, quorumReached, reportTally } from './activeNodes';
export { ADDRESS_LENGTH, type Address, decodeAddress, encodeAddress, isAddress } from './address';
export { type ApplyContext, applyTransaction, splitFee } from './applyTransaction';
export {
  type Block,
  type BlockHeader,
  blockHash,
  blockHeaderSigningBytes,
  decodeBlock,
  encodeBlock,
  signBlock,
} from './block';
export {
  type ChainParams,
  type ChainParamsInput,
  createChainParams,
  decodeChainParams,
  encodeChainParams,
  genesisHash,
  sameChainParams,
} from './chainParams';
export { checkTransactionFields } from './checkTransactionFields';
export * from './constants';
export { decodeTransaction } from './decodeTransaction';
export { isCanonicalScalar, isValidPublicKey, verifyStrict } from './ed25519';
export { joinSignature, TX_FIELD_COUNT, transactionId, transactionSigningBytes } from './encodeTransaction';
export {
  isLedgerError,
  LEDGER_ERROR_CODES,
  LedgerError,
  type LedgerErrorCode,
  type LedgerErrorOptions,
} from './errors';
export {
  type ChainTip,
  checkConservation,
  type ExecutedBlock,
  type ExecutionContext,
  executeBlock,
} from './executeBlock';
export { generateKeyPair, type KeyPair, keyPairFromSecretKey, signBytes } from './keys';
export {
  type AccountInfo,
  LedgerNode,
  type LedgerNodeOptions,
  type ProducedBlock,
  type SubmitResult,
} from './ledgerNode';
export {
  type Account,
  LedgerState,
  StateOverlay,
  type StateView,
  type Supply,
  type TransferRecord,
  type TransferStatus,
} from './ledgerState';
export { memoryStore } from './memoryStore';
export { type ChainReport, replayChain } from './replayChain';
export { type Sha256, setSha256, sha256 } from './sha256';
export { portableVerifier, type SignatureCheck, type SignatureVerifier } from './signatureVerifier';
export { buildTransaction, signTransaction, type TransactionInput } from './signTransaction';
export { entryDigest, type PendingStateHash, StateDigest } from './stateHash';
export {
  browserStore,
  type LedgerStore,
  type LevelDatabase,
  LevelLedgerStore,
  type StoreOp,
} from './store';
export {
  MINT_REASONS,
  type MintReason,
  type SignedTransaction,
  type Transaction,
  TX_TYPES,
  type TxType,
} from './transaction';
export { type TransactionJson, transactionFromJson, transactionToJson } from './transactionJson';
export { txRoot } from './txRoot';
export { formatAlc, parseAlc, unitsFromJson, unitsToJson } from './units';
export { verifyTransaction } from './verifyTransaction';
