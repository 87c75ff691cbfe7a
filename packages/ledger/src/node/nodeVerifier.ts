import { PUBLIC_KEY_BYTES, SIGNATURE_BYTES } from '../constants';
import { isCanonicalScalar, isValidPublicKey, verifyStrict } from '../ed25519';
import type { SignatureCheck, SignatureVerifier } from '../signatureVerifier';
import { opensslVerify } from './opensslVerify';
import { verifierPool } from './verifierPool';

/**
 * Fast path of the one verification rule (spec §4) on `node:crypto` (OpenSSL).
 *
 * OpenSSL checks the cofactorless equation `R = [S]B − [k]A` by re-encoding, so it accepts a
 * subset of what the cofactored strict rule accepts *once the public key is known to be
 * canonical and not of small order and S < L* (both cheap pre-checks here, the key check
 * memoised per key). Anything OpenSSL rejects is re-checked with the portable rule. Hence this
 * verifier accepts exactly what `verifyStrict` accepts; `test/ed25519-differential.test.ts`
 * checks that on the RFC 8032, Wycheproof and ZIP-215 vectors and on generated torsion cases,
 * for the single-signature path, the worker pool and the pool's in-thread share.
 * Invalid signatures cost a portable check (~1 ms each).
 */

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
  if (opensslVerify(signature, message, publicKey)) return true;
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
    // pool unavailable (a worker died): the same OpenSSL check on this thread
    verdicts = Uint8Array.from(items, (c) => (opensslVerify(c.signature, c.message, c.publicKey) ? 1 : 0));
  }
  items.forEach((c, k) => {
    // OpenSSL accepted ⇒ strict accepts (given the pre-checks); its rejections are re-checked
    out[at[k]!] = verdicts[k] === 1 || verifyStrict(c.signature, c.message, c.publicKey);
  });
  return out;
}

/**
 * `node:crypto` verifier: same accept/reject set as `portableVerifier`, ~10–30× faster. Batches
 * of 64 or more are shared between a pool of worker threads (one per core) and the calling
 * thread whenever it is idle.
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
