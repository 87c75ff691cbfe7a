import {
  decodeBlock,
  decodeChainParams,
  type KeyPair,
  LedgerNode,
  type LedgerStore,
  memoryStore,
  type SignatureVerifier,
} from '@ailo/ledger';
import type { Peer } from '@ailo/protocol';
import { type Log, SILENT_LOG } from '../../logging/log';

/** Blocks asked for per `ledger.sync` request (the protocol's maximum). */
const SYNC_BATCH = 1024;

/** Options of a {@link LedgerFollower}. */
export interface LedgerFollowerOptions {
  /** where the local copy lives (default: memory) */
  store?: () => LedgerStore;
  verifier?: SignatureVerifier;
  /** when given, the follower votes VERIFY on transfers it sees that it is not party to */
  key?: KeyPair;
  log?: Log;
  /** called after each block applied locally */
  onBlock?(height: number, stateHash: string): void;
}

/**
 * A node's own copy of the ledger (isomorphic): fetches the chain
 * parameters, syncs blocks from the coordinator, checks every block locally
 * (signatures, rules, state hash) before applying it, follows
 * `block.announce`, and — given a key — submits a VERIFY vote for each
 * transfer it sees between other parties.
 */
export class LedgerFollower {
  private node: LedgerNode | undefined;
  private readonly log: Log;
  private syncing: Promise<void> = Promise.resolve();
  /** VERIFY votes submitted */
  votes = 0;
  private nonce = 0n;

  constructor(private readonly opts: LedgerFollowerOptions = {}) {
    this.log = opts.log ?? SILENT_LOG;
  }

  /** Height of the local copy (0 before the first sync). */
  get height(): number {
    return this.node?.tip.height ?? 0;
  }

  /** State hash of the local copy after its tip. */
  get stateHash(): string | undefined {
    return this.node?.tip.stateHash;
  }

  /** The local ledger, once opened. */
  get ledger(): LedgerNode | undefined {
    return this.node;
  }

  /** Opens the local copy (first time), syncs, then follows announcements on this connection. */
  async attach(peer: Peer): Promise<void> {
    if (!this.node) {
      const { params } = await peer.request('ledger.params', {});
      this.node = await LedgerNode.open({
        store: (this.opts.store ?? memoryStore)(),
        params: decodeChainParams(params),
        ...(this.opts.verifier ? { verifier: this.opts.verifier } : {}),
      });
    }
    peer.handle('block.announce', (b) => {
      this.syncing = this.syncing
        .then(() => this.onAnnounce(peer, b.height, b.block))
        .catch((e) => this.log.warn({ err: (e as Error).message }, 'ledger sync failed'));
    });
    this.syncing = this.syncing.then(() => this.sync(peer));
    await this.syncing;
  }

  /** Waits for queued sync work. */
  idle(): Promise<void> {
    return this.syncing;
  }

  private async onAnnounce(peer: Peer, height: number, bytes: Uint8Array): Promise<void> {
    if (height <= this.height) return;
    if (height === this.height + 1) await this.apply(peer, bytes);
    else await this.sync(peer);
  }

  private async sync(peer: Peer): Promise<void> {
    for (;;) {
      const r = await peer.request('ledger.sync', { from: this.height + 1, limit: SYNC_BATCH });
      for (const b of r.blocks) await this.apply(peer, b);
      if (this.height >= r.tipHeight || r.blocks.length === 0) return;
    }
  }

  private async apply(peer: Peer, bytes: Uint8Array): Promise<void> {
    const node = this.node!;
    const block = await node.applyBlock(bytes);
    this.opts.onBlock?.(block.header.height, node.tip.stateHash);
    const key = this.opts.key;
    if (!key) return;
    for (const t of decodeBlock(bytes, node.chainId).transactions) {
      if (t.tx.type !== 'TRANSFER' || t.tx.from === key.address || t.tx.to === key.address) continue;
      // votes not yet in a block are unknown to the local copy: count nonces here
      let nonce = node.nextNonce(key.address);
      if (this.nonce > nonce) nonce = this.nonce;
      this.nonce = nonce + 1n;
      const vote = node.sign(key, { type: 'VERIFY', reference: t.id, nonce });
      await peer.request('tx.verify', { tx: vote.bytes }).then(
        () => this.votes++,
        (e) => this.log.debug({ err: (e as Error).message }, 'vote refused'),
      );
    }
  }

  close(): Promise<void> | undefined {
    return this.node?.close();
  }
}
