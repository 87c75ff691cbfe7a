import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { MsgpackReader, MsgpackWriter } from './canonicalMsgpack';
import { HASH_BYTES } from './constants';
import { LedgerError } from './errors';
import type { ChainTip } from './executeBlock';

/**
 * Key layout of a ledger store (spec §10 Storage). Everything a block changes — its state
 * entries, the block, the tx index and the tip — is written in one atomic batch.
 *
 * - `m:format` → msgpack uint, the layout version
 * - `m:params` → `encodeChainParams`
 * - `m:tip` → msgpack `[height, hash, timestamp, stateHash]`
 * - `b:<height, 12 decimal digits>` → block wire bytes
 * - `i:<tx id>` → msgpack `[height, index]`
 * - `st:<state key>` → state entry value
 */
export const STORE_FORMAT = 1;
export const FORMAT_KEY = 'm:format';
export const PARAMS_KEY = 'm:params';
export const TIP_KEY = 'm:tip';
export const BLOCK_PREFIX = 'b:';
export const TX_INDEX_PREFIX = 'i:';
export const STATE_PREFIX = 'st:';

/** Store key of block `height`; zero-padded so keys sort by height. */
export const blockKey = (height: number): string => `${BLOCK_PREFIX}${String(height).padStart(12, '0')}`;

export function encodeFormat(): Uint8Array {
  return new MsgpackWriter(4).uint(STORE_FORMAT).finish();
}

export function encodeTip(t: ChainTip): Uint8Array {
  return new MsgpackWriter(96)
    .array(4)
    .uint(t.height)
    .bin(hexToBytes(t.hash))
    .uint(t.timestamp)
    .bin(hexToBytes(t.stateHash))
    .finish();
}

export function decodeTip(bytes: Uint8Array): ChainTip {
  try {
    const r = new MsgpackReader(bytes);
    r.arrayExact(4);
    const tip: ChainTip = {
      height: r.safeUint(),
      hash: bytesToHex(r.binExact(HASH_BYTES)),
      timestamp: r.safeUint(),
      stateHash: bytesToHex(r.binExact(HASH_BYTES)),
    };
    r.expectEnd();
    return tip;
  } catch (cause) {
    throw new LedgerError('STORE_CORRUPT', 'Stored tip is malformed.', { cause });
  }
}

export function encodeTxIndex(height: number, index: number): Uint8Array {
  return new MsgpackWriter(16).array(2).uint(height).uint(index).finish();
}

export function decodeTxIndex(bytes: Uint8Array): { height: number; index: number } {
  const r = new MsgpackReader(bytes);
  r.arrayExact(2);
  const out = { height: r.safeUint(), index: r.safeUint() };
  r.expectEnd();
  return out;
}
