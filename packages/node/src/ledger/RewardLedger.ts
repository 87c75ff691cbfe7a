import { mkdirSync } from 'node:fs';
import {
  type Address,
  type ChainReport,
  createChainParams,
  decodeBlock,
  encodeAddress,
  encodeChainParams,
  type KeyPair,
  LedgerNode,
  type ProducedBlock,
} from '@ailo/ledger';
import { classicStore, ledgerDir, nodeVerifier } from '@ailo/ledger/node';
import type { RewardMint } from '@ailo/poc';
import { type Peer, ProtocolError } from '@ailo/protocol';
import { withBlockOrderBreak } from '../coordinator/breakFlags';

/** Ledger totals for summaries. Amounts in base units (1 ALC = 1e8). */
export interface LedgerSummary {
  height: number;
  stateHash: string;
  minted: bigint;
  burned: bigint;
  /** Σ balances over every account that appears in the chain */
  balances: bigint;
  accounts: { address: Address; balance: bigint }[];
}

/** Mints already in blocks from this height on are not issued again. */
function mintKey(m: { to: Address | null; reason: string; reference: string }): string {
  return `${m.to}|${m.reason}|${m.reference}`;
}

/**
 * The coordinator's ledger: a LevelDB-backed {@link LedgerNode} under the
 * data directory, signing MINTs and blocks with the coordinator key. Rewards
 * are issued idempotently (a MINT already on the chain for the same
 * recipient, reason and reference is skipped), so a coordinator that crashes
 * between minting and recording it never pays twice. Serves chain sync to
 * nodes and announces new blocks.
 */
export class RewardLedger {
  private readonly peers = new Set<Peer>();
  /** block production is serial: rounds, inference payouts and flushes share one mempool */
  private queue: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly node: LedgerNode,
    readonly key: KeyPair,
  ) {}

  /** Opens (or creates) the chain under `<dataDir>/ledger`. */
  static async open(opts: { dataDir: string; key: KeyPair; chainId: string }): Promise<RewardLedger> {
    const dir = ledgerDir(opts.dataDir);
    mkdirSync(dir, { recursive: true });
    const params = createChainParams({ chainId: opts.chainId, coordinator: opts.key.address });
    const node = await LedgerNode.open({
      store: classicStore(dir),
      params,
      blockSigner: opts.key,
      verifier: nodeVerifier,
    });
    return new RewardLedger(node, opts.key);
  }

  get chainId(): string {
    return this.node.chainId;
  }

  get height(): number {
    return this.node.tip.height;
  }

  /** Keys `to|reason|reference` of the MINTs in blocks `from`…tip. */
  async mintedSince(from: number): Promise<Set<string>> {
    const out = new Set<string>();
    for await (const bytes of this.node.blocksFrom(Math.max(1, from))) {
      for (const t of decodeBlock(bytes, this.chainId).transactions)
        if (t.tx.type === 'MINT') out.add(mintKey(t.tx));
    }
    return out;
  }

  /**
   * Issues `mints` not already on the chain since `fromHeight` in one block,
   * announced to every attached peer. Returns the block (none when nothing was due).
   */
  async issue(
    mints: readonly RewardMint[],
    fromHeight: number,
  ): Promise<{ block: ProducedBlock | undefined; issued: RewardMint[] }> {
    return this.exclusive(async () => {
      const done = await this.mintedSince(fromHeight);
      const due = mints.filter((m) => !done.has(mintKey(m)));
      if (due.length === 0) return { block: undefined, issued: [] };
      for (const m of due)
        await this.node.mint({ to: m.to, amount: m.amount, reason: m.reason, reference: m.reference });
      const block = await this.node.produceBlock();
      this.announce(block);
      return { block, issued: due };
    });
  }

  /** Runs `fn` after every block production queued before it. */
  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  /** Sends a block to every attached peer. */
  announce(p: ProducedBlock): void {
    for (const peer of this.peers) {
      if (!peer.isOpen) continue;
      peer
        .notify('block.announce', {
          height: p.block.header.height,
          hash: hexBytes(p.block.hash),
          block: p.bytes,
        })
        .catch(() => {});
    }
  }

  /** Serves `ledger.params`, `ledger.sync` and transaction submissions (`tx.submit`, `tx.verify`, `tx.report`) on a node connection. */
  attach(peer: Peer): void {
    this.peers.add(peer);
    peer.closed.then(() => this.peers.delete(peer));
    peer.handle('ledger.params', () => ({ params: encodeChainParams(this.node.params) }));
    peer.handle('ledger.sync', async (body) => {
      const blocks: Uint8Array[] = [];
      for (let h = Math.max(1, body.from); h <= this.height && blocks.length < body.limit; h++) {
        const b = await this.node.getBlockBytes(h);
        if (b) blocks.push(b);
      }
      return {
        from: Math.max(1, body.from),
        blocks: withBlockOrderBreak(blocks),
        tipHeight: this.height,
        tipHash: hexBytes(this.node.tip.hash),
      };
    });
    const submit = async (body: { tx: Uint8Array }) => {
      try {
        const stx = await this.node.submit(body.tx);
        return { txId: hexBytes(stx.id), accepted: true };
      } catch (e) {
        const err = e as { shortMessage?: string; message?: string };
        throw new ProtocolError('bad_request', `transaction refused: ${err.shortMessage ?? err.message}`);
      }
    };
    peer.handle('tx.submit', submit);
    peer.handle('tx.verify', submit);
    peer.handle('tx.report', submit);
  }

  /** Seals queued transactions (transfers, votes) into a block, if any. */
  flush(): Promise<ProducedBlock | undefined> {
    return this.exclusive(async () => {
      if (this.node.mempoolSize === 0) return undefined;
      const b = await this.node.produceBlock();
      this.announce(b);
      return b;
    });
  }

  /** Replays the whole chain with every check. */
  verify(): Promise<ChainReport> {
    return this.node.verifyChain();
  }

  /** Totals and the balance of every account seen in the chain. */
  async summary(): Promise<LedgerSummary> {
    const seen = new Set<Address>();
    for await (const bytes of this.node.blocksFrom(1)) {
      for (const t of decodeBlock(bytes, this.chainId).transactions) {
        seen.add(t.tx.from);
        if (t.tx.to) seen.add(t.tx.to);
      }
    }
    const accounts = [...seen].map((address) => ({ address, balance: this.node.account(address).balance }));
    const supply = this.node.supply();
    return {
      height: this.height,
      stateHash: this.node.tip.stateHash,
      minted: supply.minted,
      burned: supply.burned,
      balances: accounts.reduce((s, a) => s + a.balance, 0n),
      accounts,
    };
  }

  close(): Promise<void> {
    return this.node.close();
  }
}

/** The `ailo1…` address of a raw public key. */
export function addressOf(publicKey: Uint8Array): Address {
  return encodeAddress(publicKey);
}

function hexBytes(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = Number.parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}
