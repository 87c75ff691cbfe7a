import { sha256 } from '@noble/hashes/sha2.js';
import { FedAvgError } from './errors';

/** Seed material: an integer, a string, or bytes. Hashed with SHA-256 into the generator state. */
export type RngSeed = number | string | Uint8Array;

const TWO_POW_M53 = 2 ** -53;

/**
 * xoshiro128** (Blackman & Vigna) seeded through SHA-256, with Box–Muller
 * Gaussians. Reproducible for a given seed on every platform.
 *
 * Not a cryptographic generator: a seeded run is for reproducibility and
 * tests. For a real privacy guarantee, omit the seed (state is then drawn from
 * `crypto.getRandomValues`) and keep the noise secret.
 */
export class SeededRng {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;
  private spare: number | undefined;

  constructor(seed?: RngSeed) {
    let material: Uint8Array;
    if (seed === undefined) {
      material = new Uint8Array(32);
      globalThis.crypto.getRandomValues(material);
    } else if (typeof seed === 'number') {
      if (!Number.isSafeInteger(seed)) {
        throw new FedAvgError('INVALID_OPTION', 'A numeric seed must be a safe integer.', { meta: { seed } });
      }
      material = new TextEncoder().encode(`int:${seed}`);
    } else if (typeof seed === 'string') {
      material = new TextEncoder().encode(`str:${seed}`);
    } else {
      material = seed;
    }
    const d = sha256(material);
    const dv = new DataView(d.buffer, d.byteOffset, d.byteLength);
    this.s0 = dv.getUint32(0, true);
    this.s1 = dv.getUint32(4, true);
    this.s2 = dv.getUint32(8, true);
    this.s3 = dv.getUint32(12, true);
    if ((this.s0 | this.s1 | this.s2 | this.s3) === 0) this.s0 = 1; // the all-zero state is a fixed point
  }

  /** A generator with the given raw xoshiro128** state (not all zero), for reference vectors. */
  static fromState(s0: number, s1: number, s2: number, s3: number): SeededRng {
    const rng = new SeededRng(0);
    rng.s0 = s0 | 0;
    rng.s1 = s1 | 0;
    rng.s2 = s2 | 0;
    rng.s3 = s3 | 0;
    if ((rng.s0 | rng.s1 | rng.s2 | rng.s3) === 0) {
      throw new FedAvgError('INVALID_OPTION', 'xoshiro128** state must not be all zero.');
    }
    return rng;
  }

  /** Next uniform 32-bit unsigned integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  nextFloat(): number {
    const hi = this.nextUint32() >>> 5; // 27 bits
    const lo = this.nextUint32() >>> 6; // 26 bits
    return (hi * 67108864 + lo) * TWO_POW_M53;
  }

  /** Standard normal N(0, 1) (Box–Muller; the second value of each pair is kept for the next call). */
  nextGaussian(): number {
    if (this.spare !== undefined) {
      const v = this.spare;
      this.spare = undefined;
      return v;
    }
    const u1 = 1 - this.nextFloat(); // (0, 1]: log is finite
    const u2 = this.nextFloat();
    const r = Math.sqrt(-2 * Math.log(u1));
    const theta = 2 * Math.PI * u2;
    this.spare = r * Math.sin(theta);
    return r * Math.cos(theta);
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
}
