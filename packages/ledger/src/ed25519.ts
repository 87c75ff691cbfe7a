import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from './constants';

/**
 * The ledger's one Ed25519 verification rule (spec §4): RFC 8032 with strict decoding —
 * canonical `A` and `R` encodings (y < p, no "negative zero"), `S < L`, small-order public keys
 * rejected, and the cofactored group equation `[8][S]B = [8]R + [8][k]A`. This is
 * `@noble/ed25519` `verify(sig, msg, pub, { zip215: false })`, which already rejects
 * small-order keys. Every other verifier (see `@ailo/ledger/node`) must accept exactly the same set.
 */

let hashesReady = false;

/** Wires SHA-512 into `@noble/ed25519`'s sync API (idempotent). */
export function ensureEd25519(): void {
  if (hashesReady) return;
  if (!ed.hashes.sha512) ed.hashes.sha512 = sha512;
  hashesReady = true;
}

/** Group order L of the prime-order subgroup (RFC 8032 §5.1), little-endian bytes. */
const L_LE = (() => {
  const out = new Uint8Array(32);
  let l = ed.Point.CURVE().n;
  for (let i = 0; i < 32; i++) {
    out[i] = Number(l & 0xffn);
    l >>= 8n;
  }
  return out;
})();

/** True when the scalar half `S` of a signature (bytes 32..63, little-endian) is below L. */
export function isCanonicalScalar(signature: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    const s = signature[32 + i]!;
    const l = L_LE[i]!;
    if (s < l) return true;
    if (s > l) return false;
  }
  return false; // S == L
}

/** Portable strict verification; see the module comment for the exact rule. Never throws. */
export function verifyStrict(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== SIGNATURE_BYTES || publicKey.length !== PUBLIC_KEY_BYTES) return false;
  ensureEd25519();
  try {
    return ed.verify(signature, message, publicKey, { zip215: false });
  } catch {
    return false;
  }
}

const KEY_CACHE_LIMIT = 16_384; // entries; the cache is cleared when full
const keyValidity = new Map<string, boolean>();

/**
 * True when `publicKey` is a canonical encoding (y < p, no negative zero) of a curve point
 * that is not of small order — exactly the keys {@link verifyStrict} can ever accept.
 * Results are memoised per key.
 */
export function isValidPublicKey(publicKey: Uint8Array): boolean {
  if (publicKey.length !== PUBLIC_KEY_BYTES) return false;
  const id = keyId(publicKey);
  const cached = keyValidity.get(id);
  if (cached !== undefined) return cached;
  let ok: boolean;
  try {
    ok = !ed.Point.fromBytes(publicKey, false).isSmallOrder();
  } catch {
    ok = false;
  }
  if (keyValidity.size >= KEY_CACHE_LIMIT) keyValidity.clear();
  keyValidity.set(id, ok);
  return ok;
}

function keyId(bytes: Uint8Array): string {
  return String.fromCharCode.apply(null, bytes as unknown as number[]);
}
