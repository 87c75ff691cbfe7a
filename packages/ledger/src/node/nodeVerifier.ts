import { createPublicKey, verify as cryptoVerify, type KeyObject } from 'node:crypto';
import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../constants';
import { isCanonicalScalar, isValidPublicKey, verifyStrict } from '../ed25519';
import type { SignatureCheck, SignatureVerifier } from '../signatureVerifier';
import { verifierPool } from './verifierPool';

/**
 * Fast path of the one verification rule (spec §4) on `node:crypto` (OpenSSL).
 *
 * OpenSSL checks the cofactorless equation `R = [S]B − [k]A` by re-encoding, so it accepts a
 * subset of what the cofactored strict rule accepts *once the public key is known to be
 * canonical and not of small order and S < L* (both cheap pre-checks here, the key check
 * memoised per key). Anything OpenSSL rejects is re-checked with the portable rule. Hence this
 * verifier accepts exactly what `verifyStrict` accepts; `test/ed25519-differential.test.ts`
 * checks that on the RFC 8032, Wycheproof and ZIP-215 vectors and on generated torsion cases.
 * Invalid signatures cost a portable check (~1 ms each).
 */

const SPKI_ED25519_PREFIX = Uint8Array.from([
  0x30, 0x2a, 0x30, 0x05, 0x06, 0x03, 0x2b, 0x65, 0x70, 0x03, 0x21, 0x00,
]); // DER SubjectPublicKeyInfo header of an Ed25519 key (RFC 8410)
const KEY_CACHE_LIMIT = 16_384; // entries; cleared when full
const keyObjects = new Map<string, KeyObject | null>();

function keyObject(publicKey: Uint8Array): KeyObject | null {
  const id = String.fromCharCode.apply(null, publicKey as unknown as number[]);
  let key = keyObjects.get(id);
  if (key !== undefined) return key;
  try {
    const der = new Uint8Array(SPKI_ED25519_PREFIX.length + PUBLIC_KEY_BYTES);
    der.set(SPKI_ED25519_PREFIX);
    der.set(publicKey, SPKI_ED25519_PREFIX.length);
    key = createPublicKey({ key: Buffer.from(der.buffer), format: 'der', type: 'spki' });
  } catch {
    key = null;
  }
  if (keyObjects.size >= KEY_CACHE_LIMIT) keyObjects.clear();
  keyObjects.set(id, key);
  return key;
}

/** Pre-checks shared by both paths: false means the strict rule rejects for sure. */
function passesPrechecks(signature: Uint8Array, publicKey: Uint8Array): boolean {
  return (
    signature.length === SIGNATURE_BYTES &&
    publicKey.length === PUBLIC_KEY_BYTES &&
    isCanonicalScalar(signature) &&
    isValidPublicKey(publicKey)
  );
}

function verifyOne(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (!passesPrechecks(signature, publicKey)) return false;
  const key = keyObject(publicKey);
  if (key && cryptoVerify(null, message, key, signature)) return true;
  return verifyStrict(signature, message, publicKey);
}

/** Below this many checks, `verifyMany` stays on the calling thread (a worker round trip costs more). */
const PARALLEL_MIN = 64;

async function verifyManyOnPool(checks: readonly SignatureCheck[]): Promise<boolean[]> {
  const out = new Array<boolean>(checks.length).fill(false);
  const items: SignatureCheck[] = [];
  const at: number[] = [];
  checks.forEach((c, i) => {
    if (passesPrechecks(c.signature, c.publicKey)) {
      items.push(c);
      at.push(i);
    }
  });
  let verdicts: Uint8Array;
  try {
    verdicts = await verifierPool().verify(items);
  } catch {
    verdicts = new Uint8Array(items.length); // pool unavailable: everything goes through the strict check below
  }
  items.forEach((c, k) => {
    // OpenSSL accepted ⇒ strict accepts (given the pre-checks); its rejections are re-checked
    out[at[k]!] = verdicts[k] === 1 || verifyStrict(c.signature, c.message, c.publicKey);
  });
  return out;
}

/**
 * `node:crypto` verifier: same accept/reject set as `portableVerifier`, ~10–30× faster. Batches
 * of 64 or more run on a pool of worker threads (one per core).
 */
export const nodeVerifier: SignatureVerifier = {
  name: 'node:crypto',
  verify: verifyOne,
  async verifyMany(checks) {
    if (checks.length < PARALLEL_MIN)
      return checks.map((c) => verifyOne(c.signature, c.message, c.publicKey));
    return verifyManyOnPool(checks);
  },
};
