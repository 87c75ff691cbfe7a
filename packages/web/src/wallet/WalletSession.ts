import {
  type AccountInfo,
  browserStore,
  decodeBlock,
  type KeyPair,
  parseAlc,
  type TransactionInput,
  type TransferStatus,
} from '@ailo/ledger';
import { LedgerFollower, NODE_HEARTBEAT_TIMEOUT_MS, nodeRegistry } from '@ailo/node/worker';
import { connect, createIdentity, type Peer } from '@ailo/protocol';
import { LEDGER_DB_PREFIX } from '../constants';
import { messageOf, WebUiError } from '../errors';

/** One transaction of the wallet's list. */
export interface WalletTx {
  id: string;
  type: string;
  from: string;
  to: string | null;
  /** base units */
  amount: bigint;
  reference: string;
  /** block height; 0 while only submitted */
  height: number;
  /** transfer status on the local ledger copy (`SUBMITTED` before a block includes it) */
  status: TransferStatus | 'SUBMITTED' | 'DONE';
  /** distinct VERIFY votes (of 10 needed) */
  confirmations: number;
}

/**
 * The wallet's connection to the network: a `client` peer with the wallet key,
 * a verified copy of the ledger in IndexedDB (`browser-level`, every block's
 * signatures and state hash checked locally before it is applied), and the
 * transactions the wallet signs (transfer, register, verify, report).
 */
export class WalletSession {
  private submitted = new Map<string, WalletTx>();
  private readonly listeners = new Set<() => void>();

  private constructor(
    readonly key: KeyPair,
    private readonly peer: Peer,
    readonly follower: LedgerFollower,
  ) {}

  /**
   * Connects and syncs the ledger.
   * @throws WebUiError `coordinator_unreachable`.
   */
  static async open(wsUrl: string, key: KeyPair): Promise<WalletSession> {
    let peer: Peer;
    try {
      peer = await connect(wsUrl, {
        identity: createIdentity(key.secretKey),
        registry: nodeRegistry(),
        heartbeatTimeoutMs: NODE_HEARTBEAT_TIMEOUT_MS,
        roles: ['client'],
      });
    } catch (cause) {
      throw new WebUiError('coordinator_unreachable', `Coordinator unreachable at ${wsUrl}`, { cause });
    }
    let s: WalletSession | undefined;
    const follower = new LedgerFollower({
      store: () => browserStore(`${LEDGER_DB_PREFIX}${key.address.slice(0, 16)}`),
      onBlock: () => s?.changed(),
    });
    s = new WalletSession(key, peer, follower);
    try {
      await follower.attach(peer);
    } catch (cause) {
      peer.close();
      throw new WebUiError('bad_response', `Ledger sync failed: ${messageOf(cause)}`, { cause });
    }
    return s;
  }

  get closed(): Promise<unknown> {
    return this.peer.closed;
  }

  /** Calls `fn` after each block and each submission. */
  onChange(fn: () => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  private changed(): void {
    for (const fn of this.listeners) fn();
  }

  private get ledger() {
    const l = this.follower.ledger;
    if (!l) throw new WebUiError('coordinator_unreachable', 'The ledger is not synced yet');
    return l;
  }

  /** Balances after the local tip. */
  account(): AccountInfo {
    return this.ledger.account(this.key.address);
  }

  get height(): number {
    return this.follower.height;
  }

  private nonce(): bigint {
    let n = this.ledger.nextNonce(this.key.address);
    for (const t of this.submitted.values()) if (t.height === 0) n++;
    return n;
  }

  private async submit(
    kind: 'tx.submit' | 'tx.verify' | 'tx.report',
    input: Omit<TransactionInput, 'from' | 'nonce'>,
  ): Promise<string> {
    const stx = this.ledger.sign(this.key, { ...input, nonce: this.nonce() });
    try {
      await this.peer.request(kind, { tx: stx.bytes });
    } catch (e) {
      throw new WebUiError('bad_response', messageOf(e), { cause: e });
    }
    this.submitted.set(stx.id, {
      id: stx.id,
      type: stx.tx.type,
      from: stx.tx.from,
      to: stx.tx.to,
      amount: stx.tx.amount,
      reference: stx.tx.reference,
      height: 0,
      status: 'SUBMITTED',
      confirmations: 0,
    });
    this.changed();
    return stx.id;
  }

  /**
   * Sends `amount` ALC (decimal text, e.g. `1.5`) to an address or username.
   * @throws WebUiError `bad_input` for an unknown recipient or a malformed amount.
   */
  send(to: string, amount: string, memo = ''): Promise<string> {
    let address: string;
    let units: bigint;
    try {
      address = this.ledger.resolve(to.trim());
      units = parseAlc(amount.trim());
    } catch (e) {
      throw new WebUiError('bad_input', messageOf(e), { cause: e });
    }
    return this.submit('tx.submit', { type: 'TRANSFER', to: address as never, amount: units, memo });
  }

  /** Binds `username` to this address. */
  register(username: string): Promise<string> {
    return this.submit('tx.submit', { type: 'REGISTER', reference: username.trim() });
  }

  /** Votes that transfer `id` happened as recorded. */
  verify(id: string): Promise<string> {
    return this.submit('tx.verify', { type: 'VERIFY', reference: id });
  }

  /** Reports transfer `id` as fraudulent. */
  report(id: string): Promise<string> {
    return this.submit('tx.report', { type: 'REPORT', reference: id });
  }

  /** Transactions from or to this wallet (newest first) and other parties' transfers it could vote on. */
  async transactions(): Promise<{ mine: WalletTx[]; others: WalletTx[] }> {
    const l = this.ledger;
    const me = this.key.address;
    const mine: WalletTx[] = [];
    const others: WalletTx[] = [];
    for await (const bytes of l.blocksFrom(1)) {
      const block = decodeBlock(bytes, l.chainId);
      for (const t of block.transactions) {
        this.submitted.delete(t.id);
        const rec = t.tx.type === 'TRANSFER' ? l.transfer(t.id) : undefined;
        const row: WalletTx = {
          id: t.id,
          type: t.tx.type,
          from: t.tx.from,
          to: t.tx.to,
          amount: t.tx.amount,
          reference: t.tx.reference,
          height: block.header.height,
          status: rec?.status ?? 'DONE',
          confirmations: rec?.verifiers.length ?? 0,
        };
        if (t.tx.from === me || t.tx.to === me) mine.push(row);
        else if (t.tx.type === 'TRANSFER') others.push(row);
      }
    }
    return { mine: [...this.submitted.values(), ...mine.reverse()], others: others.reverse() };
  }

  close(): void {
    this.peer.close(undefined, 'wallet closed');
    void this.follower.close();
  }
}
