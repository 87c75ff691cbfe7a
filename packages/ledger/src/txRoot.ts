import { hexToBytes } from '@noble/hashes/utils.js';
import { HASH_BYTES } from './constants';
import { sha256 } from './sha256';

/**
 * Merkle root of a block's transaction ids in order (spec §9), as RFC 6962 §2.1 defines it:
 * empty → sha256(""); leaf → sha256(0x00 ‖ id); node → sha256(0x01 ‖ left ‖ right), with the
 * left subtree holding the largest power of two below n leaves.
 */
export function txRoot(ids: readonly string[]): Uint8Array {
  if (ids.length === 0) return sha256(new Uint8Array(0));
  const leaves = ids.map((id) => {
    const buf = new Uint8Array(1 + HASH_BYTES);
    buf.set(hexToBytes(id), 1);
    return sha256(buf);
  });
  return subtree(leaves, 0, leaves.length);
}

function subtree(leaves: Uint8Array[], start: number, n: number): Uint8Array {
  if (n === 1) return leaves[start]!;
  let k = 1;
  while (k * 2 < n) k *= 2;
  const buf = new Uint8Array(1 + 2 * HASH_BYTES);
  buf[0] = 1;
  buf.set(subtree(leaves, start, k), 1);
  buf.set(subtree(leaves, start + k, n - k), 1 + HASH_BYTES);
  return sha256(buf);
}
