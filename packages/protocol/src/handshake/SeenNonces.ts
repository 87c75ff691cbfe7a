import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * Nonces a server has already accepted a hello for (spec §6: a nonce is good for one hello). Bounded:
 * the oldest entries are forgotten past `capacity`; a forgotten nonce is still useless to an attacker
 * because the server never issues the same nonce twice.
 */
export class SeenNonces {
  private readonly seen = new Set<string>();

  constructor(private readonly capacity = 100_000) {}

  /** Records `nonce`; false if it was already recorded. */
  consume(nonce: Uint8Array): boolean {
    const key = bytesToHex(nonce);
    if (this.seen.has(key)) return false;
    this.seen.add(key);
    if (this.seen.size > this.capacity) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
    return true;
  }
}
