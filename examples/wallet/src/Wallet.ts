import {
  type AccountInfo,
  type Address,
  type ChainParams,
  type ChainReport,
  type KeyPair,
  LedgerNode,
  type LedgerStore,
  memoryStore,
  type SignatureVerifier,
  type TransferRecord,
} from '@ailo/ledger';
import type { BlockSource, TransactionSink } from './BlockSource';

/** What a wallet shows for one of its transfers. */
export interface TransferView {
  id: string;
  status: TransferRecord['status'];
  /** distinct VERIFY votes so far (10 confirm) */
  verifications: number;
  reports: number;
  /** block that included the transfer */
  height: number;
}

/**
 * A wallet app built on `@ailo/ledger`: one key, and its own copy of the chain that it syncs
 * block by block and checks locally — signatures, every rule, the state hash — so balances and
 * statuses come from verified data, not from what a server claims.
 */
export class Wallet {
  /** Nonces handed out but maybe not yet in a synced block (spec: strictly increasing, gaps allowed). */
  private nextNonce = 0n;

  private constructor(
    readonly key: KeyPair,
    readonly ledger: LedgerNode,
  ) {}

  /**
   * Opens a wallet on a chain. `store` defaults to memory (`browserStore(name)` in a tab,
   * `classicStore(dir)` in Node keep the copy across restarts); `verifier` defaults to the
   * portable one (`nodeVerifier` from `@ailo/ledger/node` is faster and accepts the same set).
   */
  static async open(
    key: KeyPair,
    params: ChainParams,
    store: LedgerStore = memoryStore(),
    verifier?: SignatureVerifier,
  ): Promise<Wallet> {
    return new Wallet(key, await LedgerNode.open({ store, params, ...(verifier ? { verifier } : {}) }));
  }

  get address(): Address {
    return this.key.address;
  }

  /** Height of the local copy. */
  get height(): number {
    return this.ledger.tip.height;
  }

  /**
   * Fetches and applies every block after the local tip. Each block is checked before it is
   * applied; a bad one throws a `LedgerError` and leaves the local copy at the last good block.
   * @returns blocks applied
   */
  async sync(source: BlockSource): Promise<number> {
    let applied = 0;
    for await (const bytes of source.blocksFrom(this.height + 1)) {
      await this.ledger.applyBlock(bytes);
      applied++;
    }
    return applied;
  }

  /** Balances of this wallet (or any address) after the local tip. Base units. */
  account(address: Address = this.address): AccountInfo {
    return this.ledger.account(address);
  }

  /**
   * Signs a TRANSFER of `amount` base units (plus the 0.01 ALC fee) to `to` and submits it.
   * Resolves to the transfer id once the coordinator has queued it.
   * @throws {LedgerError} from the coordinator, e.g. `INSUFFICIENT_FUNDS`; the nonce is not used up then
   */
  async send(sink: TransactionSink, to: Address, amount: bigint, memo = ''): Promise<string> {
    let nonce = this.ledger.nextNonce(this.address);
    if (nonce < this.nextNonce) nonce = this.nextNonce; // bigint: no Math.max
    const tx = this.ledger.sign(this.key, { type: 'TRANSFER', to, amount, memo, nonce });
    await sink.submit(tx.bytes);
    this.nextNonce = nonce + 1n;
    return tx.id;
  }

  /** A transfer's status on the local copy, or `undefined` before the block holding it is synced. */
  transfer(id: string): TransferView | undefined {
    const r = this.ledger.transfer(id);
    if (!r) return undefined;
    return {
      id,
      status: r.status,
      verifications: r.verifiers.length,
      reports: r.reporters.length,
      height: r.height,
    };
  }

  /** Replays the local copy from genesis with every check (never throws; `ok` says). */
  verify(): Promise<ChainReport> {
    return this.ledger.verifyChain();
  }
}
