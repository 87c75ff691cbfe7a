import { hmac } from '@noble/hashes/hmac.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { PocError } from './errors';

const utf8 = new TextEncoder();

/** Smallest coordinator secret accepted. bytes */
export const MIN_SECRET_BYTES = 16;

/**
 * HMAC-SHA256(secret, purpose ‖ 0x00 ‖ u64le round): a per-round seed nobody without the
 * coordinator's secret can predict, so clients cannot tune updates to the round's validation
 * sample or sketch coordinates.
 * @throws PocError `INVALID_INPUT` for a secret shorter than 16 bytes or a bad round
 */
export function roundSeed(secret: Uint8Array, purpose: string, round: number): Uint8Array {
  if (!(secret instanceof Uint8Array) || secret.length < MIN_SECRET_BYTES) {
    throw new PocError('INVALID_INPUT', `The coordinator secret must be at least ${MIN_SECRET_BYTES} bytes.`);
  }
  if (!Number.isSafeInteger(round) || round < 0) {
    throw new PocError('INVALID_INPUT', 'round must be a non-negative integer.', { meta: { round } });
  }
  const p = utf8.encode(purpose);
  const msg = new Uint8Array(p.length + 9);
  msg.set(p, 0);
  new DataView(msg.buffer).setBigUint64(p.length + 1, BigInt(round), true);
  return hmac(sha256, secret, msg);
}
