import { bytesToHex } from '@noble/hashes/utils.js';
import { MsgpackReader, MsgpackWriter } from './canonicalMsgpack';
import {
  BLOCK_DOMAIN,
  HASH_BYTES,
  MAX_BLOCK_BYTES,
  MAX_BLOCK_TXS,
  MAX_TX_BYTES,
  SIGNATURE_BYTES,
} from './constants';
import { decodeOwnedTransaction } from './decodeTransaction';
import { domainPrefix, expectDomainPrefix } from './domainPrefix';
import { joinSignature } from './encodeTransaction';
import { LedgerError } from './errors';
import { type KeyPair, signBytes } from './keys';
import { sha256 } from './sha256';
import type { SignedTransaction } from './transaction';
import { txRootOfDigests } from './txRoot';

/** Block header (spec §9). */
export interface BlockHeader {
  /** 1 for the first block; the genesis is height 0. */
  height: number;
  /** Hash of the previous block, or the genesis hash for height 1. 32 bytes. */
  prevHash: Uint8Array;
  /** Block time, ms since the Unix epoch; never below the previous block's. */
  timestamp: number;
  /** Number of transactions. */
  txCount: number;
  /** Merkle root of the transaction ids (`txRoot`). 32 bytes. */
  txRoot: Uint8Array;
  /** State hash after applying the block (`StateDigest`). 32 bytes. */
  stateHash: Uint8Array;
}

/** A signed block with its transactions. */
export interface Block {
  readonly header: Readonly<BlockHeader>;
  /** Coordinator's Ed25519 signature over the header signing bytes. */
  readonly signature: Uint8Array;
  /** Header signing bytes (what the coordinator signs). */
  readonly headerSigningBytes: Uint8Array;
  /** Block hash: hex sha256(header signing bytes ‖ signature). */
  readonly hash: string;
  readonly transactions: readonly SignedTransaction[];
}

const HEADER_FIELDS = 6;

/**
 * `UTF-8("ailo-block-v1") ‖ 0 ‖ chainId ‖ 0 ‖ msgpack([height, prevHash, timestamp, txCount,
 * txRoot, stateHash])` (spec §9).
 */
export function blockHeaderSigningBytes(h: BlockHeader, chainId: string): Uint8Array {
  return new MsgpackWriter(200)
    .raw(domainPrefix(BLOCK_DOMAIN, chainId))
    .array(HEADER_FIELDS)
    .uint(h.height)
    .bin(h.prevHash)
    .uint(h.timestamp)
    .uint(h.txCount)
    .bin(h.txRoot)
    .bin(h.stateHash)
    .finish();
}

/** Block hash from header signing bytes and signature. */
export function blockHash(headerSigningBytes: Uint8Array, signature: Uint8Array): string {
  return bytesToHex(sha256(joinSignature(headerSigningBytes, signature)));
}

/** Signs a header with the coordinator key and assembles the block. */
export function signBlock(
  header: BlockHeader,
  transactions: readonly SignedTransaction[],
  coordinator: KeyPair,
  chainId: string,
): Block {
  const headerSigningBytes = blockHeaderSigningBytes(header, chainId);
  const signature = signBytes(headerSigningBytes, coordinator.secretKey);
  return {
    header,
    signature,
    headerSigningBytes,
    hash: blockHash(headerSigningBytes, signature),
    transactions,
  };
}

/** Wire bytes of a block: msgpack([header signing bytes ‖ signature, [tx wire bytes…]]) (spec §9). */
export function encodeBlock(block: Block): Uint8Array {
  const size = block.transactions.reduce((n, t) => n + t.bytes.length + 3, 300);
  const w = new MsgpackWriter(size);
  w.array(2).bin(joinSignature(block.headerSigningBytes, block.signature));
  w.array(block.transactions.length);
  for (const t of block.transactions) w.bin(t.bytes);
  return w.finish();
}

/**
 * Decodes a block and checks its structure: limits, domain, chain id, canonical encoding, every
 * transaction's encoding and field rules, `txCount` and `txRoot`. Does not check the signature,
 * the link to the tip or the state; see `LedgerNode.applyBlock`.
 * @throws {LedgerError} `ENCODING_*`, `WRONG_*`, `BLOCK_TOO_LARGE`, `BLOCK_INVALID_TX`, `BLOCK_TX_ROOT_MISMATCH`
 */
export function decodeBlock(
  bytes: Uint8Array,
  chainId: string,
  options: { onTransactions?: (txs: readonly SignedTransaction[]) => void; chunkSize?: number } = {},
): Block {
  if (!(bytes instanceof Uint8Array))
    throw new LedgerError('ENCODING_MALFORMED', 'Block bytes must be a Uint8Array.');
  if (bytes.length > MAX_BLOCK_BYTES) {
    throw new LedgerError('BLOCK_TOO_LARGE', 'Block is too large.', {
      details: `${bytes.length} bytes, limit ${MAX_BLOCK_BYTES}`,
    });
  }
  const own = bytes.slice(); // one copy for the whole block: decoded transactions keep views into it
  const r = new MsgpackReader(own);
  r.arrayExact(2);
  const headerWire = r.bin(1024);
  const start = expectDomainPrefix(headerWire, BLOCK_DOMAIN, chainId);
  if (headerWire.length < start + SIGNATURE_BYTES) {
    throw new LedgerError('ENCODING_TRUNCATED', 'Block header is shorter than its signature.');
  }
  const signingEnd = headerWire.length - SIGNATURE_BYTES;
  const hr = new MsgpackReader(headerWire, start, signingEnd);
  hr.arrayExact(HEADER_FIELDS);
  const header: BlockHeader = {
    height: hr.safeUint(),
    prevHash: hr.binExact(HASH_BYTES).slice(),
    timestamp: hr.safeUint(),
    txCount: hr.safeUint(),
    txRoot: hr.binExact(HASH_BYTES).slice(),
    stateHash: hr.binExact(HASH_BYTES).slice(),
  };
  hr.expectEnd();
  const n = r.array(MAX_BLOCK_TXS);
  if (n !== header.txCount) {
    throw new LedgerError(
      'ENCODING_MALFORMED',
      'Block holds a different number of transactions than its header says.',
      {
        details: `header ${header.txCount}, body ${n}`,
      },
    );
  }
  const transactions: SignedTransaction[] = [];
  const digests: Uint8Array[] = [];
  const chunk = options.chunkSize ?? 512;
  let handed = 0;
  for (let i = 0; i < n; i++) {
    const txBytes = r.bin(MAX_TX_BYTES + 1);
    try {
      transactions.push(decodeOwnedTransaction(txBytes, chainId, digests));
    } catch (cause) {
      throw invalidTx(i, cause);
    }
    if (options.onTransactions && (transactions.length - handed === chunk || i === n - 1)) {
      options.onTransactions(transactions.slice(handed));
      handed = transactions.length;
    }
  }
  r.expectEnd();
  const root = txRootOfDigests(digests);
  if (bytesToHex(root) !== bytesToHex(header.txRoot)) {
    throw new LedgerError(
      'BLOCK_TX_ROOT_MISMATCH',
      'Block transaction root does not match its transactions.',
      {
        details: `height ${header.height}`,
      },
    );
  }
  const headerSigningBytes = headerWire.slice(0, signingEnd);
  const signature = headerWire.slice(signingEnd);
  return {
    header,
    signature,
    headerSigningBytes,
    hash: blockHash(headerSigningBytes, signature),
    transactions,
  };
}

/** Wraps the error of transaction `index` of a block. */
export function invalidTx(index: number, cause: unknown): LedgerError {
  const code = (cause as { code?: string }).code ?? 'unknown';
  const msg = (cause as { shortMessage?: string }).shortMessage ?? String(cause);
  return new LedgerError('BLOCK_INVALID_TX', `Block transaction ${index} is invalid: ${msg}`, {
    details: `transaction ${index}: ${code}`,
    cause,
  });
}
