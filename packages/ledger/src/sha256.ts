import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { LedgerError } from './errors';

/** A SHA-256 function: bytes in, 32-byte digest out. */
export type Sha256 = (data: Uint8Array) => Uint8Array;

let current: Sha256 = nobleSha256;

/** SHA-256 used for every ledger hash (ids, roots, state). Portable `@noble/hashes` by default. */
export function sha256(data: Uint8Array): Uint8Array {
  return current(data);
}

const PROBES = [new Uint8Array(0), new TextEncoder().encode('abc'), new Uint8Array(200).map((_, i) => i)];

/**
 * Replaces the SHA-256 implementation process-wide (e.g. with `node:crypto`, see
 * `installNodeCrypto` in `@ailo/ledger/node`); `undefined` restores the portable one. The
 * replacement is checked against the portable one first, so results can never change.
 * @throws {LedgerError} `INVALID_HASH_FUNCTION` when the function disagrees with SHA-256
 */
export function setSha256(fn: Sha256 | undefined): void {
  if (fn === undefined) {
    current = nobleSha256;
    return;
  }
  for (const p of PROBES) {
    const a = fn(p);
    const b = nobleSha256(p);
    if (a.length !== 32 || a.some((v, i) => v !== b[i])) {
      throw new LedgerError('INVALID_HASH_FUNCTION', 'The replacement SHA-256 gives other digests.');
    }
  }
  current = fn;
}
