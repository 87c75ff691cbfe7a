import type { ReplayView } from './checkReplay';

/**
 * Memory behind {@link checkReplay}: the last nonce of each signer and the first submitter of
 * each update hash. Hashes are forgotten oldest-first beyond `capacity`; nonces are kept (one
 * bigint per identity).
 */
export class ReplayGuard implements ReplayView {
  private readonly nonces = new Map<string, bigint>();
  private readonly hashes = new Map<string, { signer: string; round: number }>();

  constructor(private readonly capacity: number) {}

  lastNonce(signer: string): bigint | undefined {
    return this.nonces.get(signer);
  }

  firstSeen(deltaHash: string): { signer: string; round: number } | undefined {
    return this.hashes.get(deltaHash);
  }

  /** Records a signature-valid proof: its nonce and (if new) its update hash. */
  record(signer: string, nonce: bigint, deltaHash: string, round: number): void {
    const last = this.nonces.get(signer);
    if (last === undefined || nonce > last) this.nonces.set(signer, nonce);
    if (this.hashes.has(deltaHash)) return;
    if (this.hashes.size >= this.capacity) {
      const oldest = this.hashes.keys().next().value;
      if (oldest !== undefined) this.hashes.delete(oldest);
    }
    this.hashes.set(deltaHash, { signer, round });
  }
}
