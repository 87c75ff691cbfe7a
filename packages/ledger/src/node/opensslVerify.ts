import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';

/**
 * Bare OpenSSL Ed25519 verification (`node:crypto`) with the key objects cached per public key.
 * This is NOT the ledger's rule on its own: `nodeVerifier` adds the pre-checks and the strict
 * fallback that make it so.
 *
 * Keys are imported as JWK (`{ kty: 'OKP', crv: 'Ed25519', x }`): ≈ 12 µs per key against
 * ≈ 110 µs for the DER/SPKI import, which goes through OpenSSL's generic decoders. Both store
 * the same raw 32 bytes; a key either import refuses is treated as "OpenSSL rejects", which
 * sends the signature to the strict check, so the choice cannot change a verdict.
 */

/** Cached key objects, at most this many; the cache is cleared when full. */
export const KEY_CACHE_LIMIT = 16_384;
const keyObjects = new Map<string, KeyObject | null>();

/** The cached key object of a 32-byte Ed25519 public key, or `null` when OpenSSL refuses it. */
export function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = String.fromCharCode.apply(null, publicKey as unknown as number[]);
  let key = keyObjects.get(id);
  if (key !== undefined) return key;
  try {
    const x = Buffer.from(publicKey).toString('base64url');
    key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x }, format: 'jwk' });
  } catch {
    key = null;
  }
  if (keyObjects.size >= KEY_CACHE_LIMIT) keyObjects.clear();
  keyObjects.set(id, key);
  return key;
}

/** OpenSSL's verdict on one signature; false for a key OpenSSL refuses. Never throws. */
export function opensslVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  const key = keyObject(publicKey);
  if (!key) return false;
  try {
    return cryptoVerify(null, message, key, signature);
  } catch {
    return false;
  }
}
