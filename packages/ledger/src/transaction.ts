import type { Address } from './address';

/** Transaction types (spec §2). The type string is what is signed. */
export const TX_TYPES = ['MINT', 'TRANSFER', 'VERIFY', 'REPORT', 'REVERSAL', 'REGISTER'] as const;

/** One of {@link TX_TYPES}. */
export type TxType = (typeof TX_TYPES)[number];

/** Why the network minted units (spec §2 MINT): a FedAvg contribution, its speed bonus, or served inference. */
export const MINT_REASONS = ['training', 'fast_bonus', 'inference'] as const;

/** One of {@link MINT_REASONS}. */
export type MintReason = (typeof MINT_REASONS)[number];

/**
 * An unsigned transaction. Fields are signed in this order (spec §3):
 * type, from, to, amount, fee, nonce, timestamp, reason, reference, memo.
 */
export interface Transaction {
  type: TxType;
  /** Signer. For MINT and REVERSAL this is the coordinator (the units of a MINT come from the network). */
  from: Address;
  /** Recipient for MINT, TRANSFER and REVERSAL; `null` for VERIFY, REPORT and REGISTER. */
  to: Address | null;
  /** Base units (1 ALC = 1e8); 0 for VERIFY, REPORT and REGISTER. */
  amount: bigint;
  /** Base units; exactly `TRANSFER_FEE` for TRANSFER, 0 otherwise. */
  fee: bigint;
  /** Per-signer counter; each transaction's nonce must exceed the signer's previous one. */
  nonce: bigint;
  /** Milliseconds since the Unix epoch, signer's clock. */
  timestamp: number;
  /** MINT reason; `''` for every other type. */
  reason: MintReason | '';
  /**
   * MINT: round or request id. VERIFY, REPORT, REVERSAL: the target transfer's id (64 hex).
   * REGISTER: the username. TRANSFER: free text (may be empty). At most 128 UTF-8 bytes.
   */
  reference: string;
  /** Free text, at most 256 UTF-8 bytes. */
  memo: string;
}

/** A transaction with its signature, wire bytes and id. */
export interface SignedTransaction {
  readonly tx: Readonly<Transaction>;
  /** 64-byte Ed25519 signature over {@link SignedTransaction.signingBytes}. */
  readonly signature: Uint8Array;
  /** Wire encoding: signing bytes ‖ signature (spec §3). */
  readonly bytes: Uint8Array;
  /** The signed prefix of {@link SignedTransaction.bytes}. */
  readonly signingBytes: Uint8Array;
  /** Transaction id: hex sha256 of the wire encoding (spec §4). */
  readonly id: string;
  /** 32-byte public key of `tx.from`. */
  readonly fromKey: Uint8Array;
}
