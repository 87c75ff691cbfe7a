import { hash } from 'node:crypto';
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { setSha256 } from '../sha256';

/** Below this many bytes the call overhead of `node:crypto` exceeds the JS hash (measured). */
const NATIVE_MIN_BYTES = 128;

/**
 * SHA-256 on `node:crypto` (one-shot `crypto.hash`, Node ≥ 20.12) for inputs of 128 bytes or
 * more, `@noble/hashes` below; byte-identical to the portable one either way.
 */
export function nodeSha256(data: Uint8Array): Uint8Array {
  if (data.length < NATIVE_MIN_BYTES) return nobleSha256(data);
  const out = hash('sha256', data, 'buffer') as unknown as Buffer;
  return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
}

/**
 * Switches ledger hashing (ids, Merkle roots, state hashes) to `node:crypto` for this process.
 * Results are identical (checked on install); only speed changes. Pair it with `nodeVerifier`.
 */
export function installNodeCrypto(): void {
  setSha256(nodeSha256);
}
