import * as ed from '@noble/ed25519';
import { sha512 } from '@noble/hashes/sha2.js';
import { ensureEd25519 } from '../src/ed25519';

/**
 * Signatures a key holder can make that sit exactly where the cofactored (strict) and the
 * cofactorless (OpenSSL) equations disagree: `R` or `A` with a small-order (torsion) component.
 */

const L = ed.Point.CURVE().n;
const le = (b: Uint8Array): bigint => b.reduceRight((acc, x) => (acc << 8n) | BigInt(x), 0n);
const toLe32 = (n: bigint): Uint8Array => {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) {
    out[i] = Number(n & 0xffn);
    n >>= 8n;
  }
  return out;
};
const concat = (...parts: Uint8Array[]): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let off = 0;
  for (const p of parts) {
    out.set(p, off);
    off += p.length;
  }
  return out;
};

/** An order-8 point: the torsion generator. */
export const TORSION_8 = ed.Point.fromHex('26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05');

export interface SigCase {
  name: string;
  signature: Uint8Array;
  message: Uint8Array;
  publicKey: Uint8Array;
}

/** Signs `message` with secret `seed` using nonce point R = [r]B + tR and key point A + tA. */
export function torsionSignature(
  seed: Uint8Array,
  message: Uint8Array,
  tR: ed.Point,
  tA: ed.Point,
  rSeed: number,
): SigCase {
  ensureEd25519();
  const { scalar: a, point: A } = ed.utils.getExtendedPublicKey(seed);
  const Aprime = A.add(tA);
  const r = (le(sha512(concat(seed, Uint8Array.of(rSeed)))) % (L - 1n)) + 1n;
  const R = ed.Point.BASE.multiply(r).add(tR);
  const Rb = R.toBytes();
  const Ab = Aprime.toBytes();
  const k = le(sha512(concat(Rb, Ab, message))) % L;
  const S = (r + k * a) % L;
  return { name: `torsion R+${rSeed}`, signature: concat(Rb, toLe32(S)), message, publicKey: Ab };
}

/** A batch of torsion cases over every multiple of the order-8 point. */
export function torsionCases(seed: Uint8Array): SigCase[] {
  const out: SigCase[] = [];
  const msg = new TextEncoder().encode('ailo torsion case');
  for (let i = 0; i < 8; i++) {
    const t = TORSION_8.multiply(BigInt(i === 0 ? 8 : i), false);
    out.push({ ...torsionSignature(seed, msg, t, ed.Point.ZERO, i), name: `mixed-order R (T·${i})` });
    out.push({ ...torsionSignature(seed, msg, ed.Point.ZERO, t, i), name: `mixed-order A (T·${i})` });
    out.push({ ...torsionSignature(seed, msg, t, t, i), name: `mixed-order R and A (T·${i})` });
  }
  return out;
}
