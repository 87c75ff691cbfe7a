import { buildTransaction, type KeyPair, signTransaction } from '@ailo/ledger';

/**
 * A network node that votes on transfers it sees: VERIFY when one looks right, REPORT when one
 * looks wrong. Only nodes with a recent verified contribution (a MINT to them) may vote, never
 * the transfer's sender or recipient. Keeps its own nonce counter, as a remote signer must.
 */
export class Voter {
  private nonce = 0n;

  constructor(
    readonly name: string,
    readonly key: KeyPair,
    private readonly chainId: string,
  ) {}

  /** Signed VERIFY or REPORT of `transferId`, as wire bytes (`tx.verify` / `tx.report`). */
  vote(type: 'VERIFY' | 'REPORT', transferId: string): Uint8Array {
    const tx = buildTransaction({ type, from: this.key.address, nonce: this.nonce++, reference: transferId });
    return signTransaction(tx, this.key, this.chainId).bytes;
  }
}
