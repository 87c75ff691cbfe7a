import { hexToBytes } from '@noble/hashes/utils.js';
import { HASH_BYTES } from './constants';
import { sha256 } from './sha256';

/**
 * Merkle root of a block's transaction ids in order (spec §9), as RFC 6962 §2.1 defines it:
 * empty → sha256(""); leaf → sha256(0x00 ‖ id); node → sha256(0x01 ‖ left ‖ right), with the
 * left subtree holding the largest power of two below n leaves.
 */
export function txRoot(ids: readonly string[]): Uint8Array {
  return txRootOfDigests(ids.map((id) => hexToBytes(id)));
}

/** {@link txRoot} of ids given as their 32-byte digests (no hex round trip). */
export function txRootOfDigests(ids: readonly Uint8Array[]): Uint8Array {
  if (ids.length === 0) return sha256(new Uint8Array(0));
  const buf = new Uint8Array(1 + HASH_BYTES); // 0x00 ‖ id; reused: sha256 never keeps its input
  const leaves = ids.map((id) => {
    buf.set(id, 1);
    return sha256(buf);
  });
  return subtree(leaves, 0, leaves.length);
}

/** 0x01 ‖ left ‖ right, reused by every inner node (filled only after both children are done). */
const NODE = new Uint8Array(1 + 2 * HASH_BYTES);
NODE[0] = 1;

function subtree(leaves: Uint8Array[], start: number, n: number): Uint8Array {
  if (n === 1) return leaves[start]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  const left = subtree(leaves, start, k);
  const right = subtree(leaves, start + k, n - k);
  NODE.set(left, 1);
  NODE.set(right, 1 + HASH_BYTES);
  return sha256(NODE);
}
