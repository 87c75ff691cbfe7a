import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { isActive } from './activeNodes';
import { type Address, decodeAddress } from './address';
import { applyTransaction } from './applyTransaction';
import { type Block, decodeBlock, encodeBlock, signBlock } from './block';
import {
  type ChainParams,
  decodeChainParams,
  encodeChainParams,
  genesisHash,
  sameChainParams,
} from './chainParams';
import { MAX_BLOCK_TXS, USERNAME_PATTERN } from './constants';
import { decodeTransaction } from './decodeTransaction';
import { LedgerError } from './errors';
import {
  type ChainTip,
  checkConservation,
  type ExecutedBlock,
  executeBlock,
  signatureCheck,
} from './executeBlock';
import type { KeyPair } from './keys';
import { type Account, LedgerState, StateOverlay, type Supply, type TransferRecord } from './ledgerState';
import { type ChainReport, replayChain } from './replayChain';
import { portableVerifier, type SignatureVerifier } from './signatureVerifier';
import { buildTransaction, signTransaction, type TransactionInput } from './signTransaction';
import { encodeSupply, loadStateEntry, overlayEntries, SUPPLY_KEY } from './stateCodec';
import { StateDigest } from './stateHash';
import type { LedgerStore, StoreOp } from './store';
import {
  blockKey,
  decodeTip,
  decodeTxIndex,
  encodeFormat,
  encodeTip,
  encodeTxIndex,
  FORMAT_KEY,
  PARAMS_KEY,
  STATE_PREFIX,
  TIP_KEY,
  TX_INDEX_PREFIX,
} from './storeLayout';
import type { MintReason, SignedTransaction } from './transaction';
import { txRoot } from './txRoot';

/** Options of {@link LedgerNode.open}. */
export interface LedgerNodeOptions {
  store: LedgerStore;
  /** Required to create a chain in an empty store; when the store has one, it must match. */
  params?: ChainParams;
  /** The coordinator key; needed for {@link LedgerNode.produceBlock}, `mint` and `reverse`. */
  blockSigner?: KeyPair;
  /** Signature verifier; defaults to the portable one. See `nodeVerifier` in `@ailo/ledger/node`. */
  verifier?: SignatureVerifier;
  /** Local clock in ms; defaults to `Date.now`. */
  clock?: () => number;
}

/** Balance view of one account. All amounts in base units. */
export interface AccountInfo {
  address: Address;
  username: string | null;
  balance: bigint;
  /** Received by unconfirmed transfers; not spendable until 10 verifications. */
  locked: bigint;
  spendable: bigint;
  lastNonce: bigint | null;
  lastContributionAt: number | null;
}

/** Result of {@link LedgerNode.produceBlock}. */
export interface ProducedBlock {
  block: Block;
  /** Wire bytes to broadcast to workers. */
  bytes: Uint8Array;
  /** Mempool transactions that failed against the block's state; dropped. */
  rejected: Array<{ tx: SignedTransaction; error: LedgerError }>;
}

/** Outcome of one transaction of {@link LedgerNode.submitMany}. */
export type SubmitResult = { ok: true; tx: SignedTransaction } | { ok: false; error: LedgerError };

/**
 * A ledger node. The coordinator queues transactions (`submit`) and seals them into signed
 * blocks (`produceBlock`); workers and browsers apply those blocks (`applyBlock`) and check the
 * whole chain locally (`verifyChain`). State lives in memory and in a {@link LedgerStore};
 * each block is written with one atomic batch, so a crash never leaves partial state.
 * Mutating calls are serialised.
 */
export class LedgerNode {
  private state = new LedgerState();
  private digest = new StateDigest();
  private tipValue!: ChainTip;
  private mempool: SignedTransaction[] = [];
  private mempoolIds = new Set<string>();
  private pending!: StateOverlay;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly verifier: SignatureVerifier;
  private readonly clock: () => number;

  private constructor(
    private readonly store: LedgerStore,
    readonly params: ChainParams,
    private readonly blockSigner: KeyPair | undefined,
    verifier: SignatureVerifier | undefined,
    clock: (() => number) | undefined,
  ) {
    this.verifier = verifier ?? portableVerifier;
    this.clock = clock ?? Date.now;
  }

  /**
   * Opens a node on `store`, creating the chain from `params` when the store is empty, and
   * loads state. Checks that the stored state hashes to the stored tip.
   * @throws {LedgerError} `STORE_EMPTY`, `CHAIN_PARAMS_MISMATCH`, `STORE_CORRUPT`, `STORE_ERROR`
   */
  static async open(options: LedgerNodeOptions): Promise<LedgerNode> {
    const { store } = options;
    await store.open();
    try {
      const storedParams = await store.get(PARAMS_KEY);
      let params: ChainParams;
      if (storedParams === undefined) {
        if (!options.params) {
          throw new LedgerError('STORE_EMPTY', 'The store holds no chain; pass chain params to create one.');
        }
        params = options.params;
        await LedgerNode.initialise(store, params);
      } else {
        try {
          params = decodeChainParams(storedParams);
        } catch (cause) {
          throw new LedgerError('STORE_CORRUPT', 'Stored chain params are malformed.', { cause });
        }
        if (options.params && !sameChainParams(params, options.params)) {
          throw new LedgerError('CHAIN_PARAMS_MISMATCH', 'The store holds a chain with other params.', {
            details: `stored chain id ${params.chainId}, given ${options.params.chainId}`,
          });
        }
      }
      const node = new LedgerNode(store, params, options.blockSigner, options.verifier, options.clock);
      await node.load();
      return node;
    } catch (err) {
      await store.close().catch(() => undefined);
      throw err;
    }
  }

  private static async initialise(store: LedgerStore, params: ChainParams): Promise<void> {
    const supply = encodeSupply({ minted: 0n, burned: 0n });
    const pending = new StateDigest().preview(new Map([[SUPPLY_KEY, supply]]));
    const tip: ChainTip = {
      height: 0,
      hash: bytesToHex(genesisHash(params)),
      timestamp: 0,
      stateHash: bytesToHex(pending.hash),
    };
    await store.write([
      { type: 'put', key: FORMAT_KEY, value: encodeFormat() },
      { type: 'put', key: PARAMS_KEY, value: encodeChainParams(params) },
      { type: 'put', key: `${STATE_PREFIX}${SUPPLY_KEY}`, value: supply },
      { type: 'put', key: TIP_KEY, value: encodeTip(tip) },
    ]);
  }

  private async load(): Promise<void> {
    const tipBytes = await this.store.get(TIP_KEY);
    if (!tipBytes) throw new LedgerError('STORE_CORRUPT', 'The store has chain params but no tip.');
    const tip = decodeTip(tipBytes);
    const entries = new Map<string, Uint8Array>();
    for await (const [key, value] of this.store.entries(STATE_PREFIX)) {
      const k = key.slice(STATE_PREFIX.length);
      loadStateEntry(this.state, k, value);
      entries.set(k, value);
    }
    const pending = this.digest.preview(entries);
    if (bytesToHex(pending.hash) !== tip.stateHash) {
      throw new LedgerError('STORE_CORRUPT', 'Stored state does not match the stored tip.', {
        details: `tip ${tip.stateHash}, state ${bytesToHex(pending.hash)}`,
      });
    }
    try {
      checkConservation(this.state);
    } catch (cause) {
      throw new LedgerError('STORE_CORRUPT', 'Stored state breaks conservation.', { cause });
    }
    this.digest.apply(pending);
    this.tipValue = tip;
    this.pending = new StateOverlay(this.state);
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  /** The last applied block. */
  get tip(): Readonly<ChainTip> {
    return this.tipValue;
  }

  /** Chain id of every transaction and block on this chain. */
  get chainId(): string {
    return this.params.chainId;
  }

  /** Transactions waiting for the next block. */
  get mempoolSize(): number {
    return this.mempool.length;
  }

  /** Minted and burned totals after the tip. */
  supply(): Readonly<Supply> {
    return this.state.supply();
  }

  /** Number of accounts in the state. */
  get accountCount(): number {
    return this.state.accounts.size;
  }

  /**
   * Resolves an address or a registered username to an address.
   * @throws {LedgerError} `INVALID_ADDRESS` or `UNKNOWN_ACCOUNT`
   */
  resolve(addressOrUsername: string): Address {
    if (addressOrUsername.length > 32) {
      decodeAddress(addressOrUsername); // throws INVALID_ADDRESS with the reason
      return addressOrUsername as Address;
    }
    if (USERNAME_PATTERN.test(addressOrUsername)) {
      const owner = this.state.usernameOwner(addressOrUsername);
      if (owner) return owner;
      throw new LedgerError('UNKNOWN_ACCOUNT', 'No account has this username.', {
        details: addressOrUsername,
      });
    }
    throw new LedgerError('INVALID_ADDRESS', 'Neither an ailo1… address nor a username.', {
      details: JSON.stringify(addressOrUsername),
    });
  }

  /** Balances of an address or username after the tip (unknown addresses have zero balances). */
  account(addressOrUsername: string): AccountInfo {
    const address = this.resolve(addressOrUsername);
    const a: Readonly<Account> = this.state.account(address) ?? {
      balance: 0n,
      locked: 0n,
      lastNonce: null,
      lastContributionAt: null,
      username: null,
    };
    return { address, ...a, spendable: a.balance - a.locked };
  }

  /** The record of a TRANSFER by id, or `undefined`. */
  transfer(id: string): Readonly<TransferRecord> | undefined {
    return this.state.transfer(id);
  }

  /** Nodes active at `now` (default: the tip's block time). */
  activeNodes(now = this.tipValue.timestamp): Address[] {
    const out: Address[] = [];
    for (const [address] of this.state.contributions()) {
      if (isActive(this.state, address, now, this.params.activeWindowMs)) out.push(address);
    }
    return out.sort();
  }

  /** Smallest nonce `address` may use next, counting transactions queued in the mempool. */
  nextNonce(address: Address): bigint {
    const last = this.pending.account(address)?.lastNonce;
    return last === undefined || last === null ? 0n : last + 1n;
  }

  /**
   * Builds and signs a transaction for this chain with `key`; the nonce defaults to
   * {@link nextNonce} and the timestamp to the node's clock. Does not submit it.
   */
  sign(
    key: KeyPair,
    input: Omit<TransactionInput, 'from' | 'nonce'> & { nonce?: bigint },
  ): SignedTransaction {
    const tx = buildTransaction({
      ...input,
      from: key.address,
      nonce: input.nonce ?? this.nextNonce(key.address),
      timestamp: input.timestamp ?? this.clock(),
    });
    return signTransaction(tx, key, this.params.chainId);
  }

  /**
   * Coordinator: signs and queues a MINT reward (nonce assigned in call order, so concurrent
   * calls are safe).
   * @throws {LedgerError} `NOT_BLOCK_PRODUCER` or a rule code
   */
  mint(args: {
    to: Address;
    amount: bigint;
    reason: MintReason;
    reference: string;
    memo?: string;
  }): Promise<SignedTransaction> {
    return this.exclusive(async () =>
      this.admitOne(this.sign(this.requireSigner(), { type: 'MINT', ...args })),
    );
  }

  /**
   * Coordinator: signs and queues the REVERSAL of a disputed transfer.
   * @throws {LedgerError} `NOT_BLOCK_PRODUCER`, `UNKNOWN_TRANSFER` or a rule code
   */
  reverse(transferId: string): Promise<SignedTransaction> {
    return this.exclusive(async () => {
      const key = this.requireSigner();
      const record = this.pending.transfer(transferId);
      if (!record)
        throw new LedgerError('UNKNOWN_TRANSFER', 'No TRANSFER with this id.', { details: transferId });
      return this.admitOne(
        this.sign(key, { type: 'REVERSAL', to: record.from, amount: record.amount, reference: transferId }),
      );
    });
  }

  private requireSigner(): KeyPair {
    if (!this.blockSigner || this.blockSigner.address !== this.params.coordinator) {
      throw new LedgerError('NOT_BLOCK_PRODUCER', 'This node does not hold the coordinator key.');
    }
    return this.blockSigner;
  }

  /**
   * Checks a transaction (encoding, chain id, signature, state rules against the tip plus the
   * mempool) and queues it for the next block.
   * @throws {LedgerError} the first violated rule; nothing is queued then.
   */
  submit(input: SignedTransaction | Uint8Array): Promise<SignedTransaction> {
    return this.exclusive(() => this.admitOne(input));
  }

  private async admitOne(input: SignedTransaction | Uint8Array): Promise<SignedTransaction> {
    const [result] = await this.admit([input]);
    if (!result!.ok) throw result!.error;
    return result!.tx;
  }

  /** Like {@link submit} for many transactions, verifying their signatures in one batch. */
  submitMany(inputs: ReadonlyArray<SignedTransaction | Uint8Array>): Promise<SubmitResult[]> {
    return this.exclusive(() => this.admit(inputs));
  }

  private async admit(inputs: ReadonlyArray<SignedTransaction | Uint8Array>): Promise<SubmitResult[]> {
    const results: SubmitResult[] = [];
    const decoded: Array<SignedTransaction | null> = inputs.map((input, i) => {
      try {
        // always re-decode: checks the chain id and that fields match the signed bytes
        return decodeTransaction(input instanceof Uint8Array ? input : input.bytes, this.params.chainId);
      } catch (error) {
        results[i] = { ok: false, error: error as LedgerError };
        return null;
      }
    });
    for (let i = 0; i < decoded.length; i++) {
      const stx = decoded[i];
      if (stx && (this.mempoolIds.has(stx.id) || (await this.store.get(`${TX_INDEX_PREFIX}${stx.id}`)))) {
        results[i] = {
          ok: false,
          error: new LedgerError('DUPLICATE_TRANSACTION', 'Transaction is already queued or on the ledger.', {
            details: stx.id,
          }),
        };
        decoded[i] = null;
      }
    }
    const checks = decoded.filter((d): d is SignedTransaction => d !== null);
    const sigOk = await this.verifier.verifyMany(
      checks.map((t) => ({ signature: t.signature, message: t.signingBytes, publicKey: t.fromKey })),
    );
    let k = 0;
    const now = this.clock();
    decoded.forEach((stx, i) => {
      if (!stx) return;
      const ok = sigOk[k++];
      try {
        if (!ok)
          throw new LedgerError('BAD_SIGNATURE', 'Transaction signature is invalid.', { details: stx.id });
        if (this.mempoolIds.has(stx.id)) {
          throw new LedgerError('DUPLICATE_TRANSACTION', 'Transaction is already queued.', {
            details: stx.id,
          });
        } // a second copy within the same call
        const child = new StateOverlay(this.pending);
        applyTransaction(child, stx, { params: this.params, now, height: this.tipValue.height + 1 });
        child.commit();
        this.mempool.push(stx);
        this.mempoolIds.add(stx.id);
        results[i] = { ok: true, tx: stx };
      } catch (error) {
        results[i] = { ok: false, error: asLedgerError(error) };
      }
    });
    return results;
  }

  /**
   * Coordinator: seals queued transactions into the next block, signs it with the coordinator
   * key, stores it atomically and returns it with its wire bytes. Transactions that no longer
   * pass at the block's time are dropped and listed in `rejected`.
   * @throws {LedgerError} `NOT_BLOCK_PRODUCER`, `STORE_ERROR`
   */
  produceBlock(options: { timestamp?: number; maxTransactions?: number } = {}): Promise<ProducedBlock> {
    return this.exclusive(async () => {
      const signer = this.requireSigner();
      const tip = this.tipValue;
      const timestamp = Math.max(options.timestamp ?? this.clock(), tip.timestamp);
      const max = Math.min(options.maxTransactions ?? MAX_BLOCK_TXS, MAX_BLOCK_TXS);
      const take = this.mempool.slice(0, max);
      const rest = this.mempool.slice(max);
      const overlay = new StateOverlay(this.state);
      const ctx = { params: this.params, now: timestamp, height: tip.height + 1 };
      const included: SignedTransaction[] = [];
      const rejected: ProducedBlock['rejected'] = [];
      for (const stx of take) {
        const child = new StateOverlay(overlay);
        try {
          applyTransaction(child, stx, ctx);
          child.commit();
          included.push(stx);
        } catch (error) {
          rejected.push({ tx: stx, error: asLedgerError(error) });
        }
      }
      checkConservation(overlay);
      const changes = overlayEntries(overlay);
      const pendingHash = this.digest.preview(changes);
      const block = signBlock(
        {
          height: tip.height + 1,
          prevHash: hexToBytes(tip.hash),
          timestamp,
          txCount: included.length,
          txRoot: txRoot(included.map((t) => t.id)),
          stateHash: pendingHash.hash,
        },
        included,
        signer,
        this.params.chainId,
      );
      const bytes = encodeBlock(block);
      const executed: ExecutedBlock = {
        block,
        overlay,
        changes,
        pendingHash,
        tip: {
          height: block.header.height,
          hash: block.hash,
          timestamp,
          stateHash: bytesToHex(pendingHash.hash),
        },
      };
      await this.persist(executed, bytes);
      this.rebuildMempool(rest, new Set());
      return { block, bytes, rejected };
    });
  }

  /**
   * Worker/browser: checks a block against the tip and every rule, then stores it atomically.
   * On any error nothing is applied.
   * @throws {LedgerError} `BLOCK_*`, `ENCODING_*`, `WRONG_*`, `STORE_ERROR`
   */
  applyBlock(input: Block | Uint8Array): Promise<Block> {
    return this.exclusive(async () => {
      const bytes = input instanceof Uint8Array ? input : encodeBlock(input);
      // signature checks start chunk by chunk while the rest of the block is still decoding
      const started: Array<Promise<boolean[]>> = [];
      const block = decodeBlock(bytes, this.params.chainId, {
        onTransactions: (txs) => started.push(this.verifier.verifyMany(txs.map(signatureCheck))),
      });
      const signatures = Promise.all(started).then((parts) => parts.flat());
      const executed = await executeBlock(
        {
          state: this.state,
          digest: this.digest,
          tip: this.tipValue,
          params: this.params,
          verifier: this.verifier,
          clock: this.clock(),
        },
        block,
        signatures,
      );
      await this.persist(executed, bytes);
      const ids = new Set(block.transactions.map((t) => t.id));
      this.rebuildMempool(this.mempool, ids);
      return block;
    });
  }

  private async persist(ex: ExecutedBlock, blockBytes: Uint8Array): Promise<void> {
    const ops: StoreOp[] = [];
    for (const [k, v] of ex.changes) ops.push({ type: 'put', key: `${STATE_PREFIX}${k}`, value: v });
    ex.block.transactions.forEach((t, i) => {
      ops.push({ type: 'put', key: `${TX_INDEX_PREFIX}${t.id}`, value: encodeTxIndex(ex.tip.height, i) });
    });
    ops.push({ type: 'put', key: blockKey(ex.tip.height), value: blockBytes });
    ops.push({ type: 'put', key: TIP_KEY, value: encodeTip(ex.tip) });
    try {
      await this.store.write(ops); // the only write of the block: atomic
    } catch (cause) {
      if (cause instanceof LedgerError) throw cause;
      throw new LedgerError('STORE_ERROR', 'Ledger storage failed to write the block.', {
        details: String(cause),
        cause,
      });
    }
    ex.overlay.commit();
    this.digest.apply(ex.pendingHash);
    this.tipValue = ex.tip;
  }

  private rebuildMempool(candidates: readonly SignedTransaction[], drop: ReadonlySet<string>): void {
    this.mempool = [];
    this.mempoolIds = new Set();
    this.pending = new StateOverlay(this.state);
    const ctx = { params: this.params, now: this.clock(), height: this.tipValue.height + 1 };
    for (const stx of candidates) {
      if (drop.has(stx.id)) continue;
      const child = new StateOverlay(this.pending);
      try {
        applyTransaction(child, stx, ctx);
        child.commit();
        this.mempool.push(stx);
        this.mempoolIds.add(stx.id);
      } catch {
        // no longer valid against the new tip: dropped
      }
    }
  }

  /** Wire bytes of the block at `height` (1…tip), or `undefined`. */
  getBlockBytes(height: number): Promise<Uint8Array | undefined> {
    return this.store.get(blockKey(height));
  }

  /** The block at `height` (1…tip), or `undefined`. */
  async getBlock(height: number): Promise<Block | undefined> {
    const bytes = await this.getBlockBytes(height);
    return bytes && decodeBlock(bytes, this.params.chainId);
  }

  /** Wire bytes of blocks `from`…tip (as of the call), in order, for syncing a peer. */
  async *blocksFrom(from: number): AsyncIterable<Uint8Array> {
    const to = this.tipValue.height;
    for (let h = Math.max(1, from); h <= to; h++) {
      const bytes = await this.store.get(blockKey(h));
      if (!bytes) throw new LedgerError('STORE_CORRUPT', `Block ${h} is missing from the store.`);
      yield bytes;
    }
  }

  /** Height and position of an included transaction, or `undefined`. */
  async findTransaction(id: string): Promise<{ height: number; index: number } | undefined> {
    const bytes = await this.store.get(`${TX_INDEX_PREFIX}${id}`);
    return bytes && decodeTxIndex(bytes);
  }

  /**
   * Replays every stored block from genesis with all checks and compares the result with the
   * stored tip and state. Never throws for a bad chain: `ok` is false and `error` says why.
   */
  verifyChain(): Promise<ChainReport> {
    return this.exclusive(() => replayChain(this.store, this.params, this.tipValue, this.verifier));
  }

  /** Closes the store. Pending mempool transactions are discarded. */
  close(): Promise<void> {
    return this.exclusive(() => this.store.close());
  }
}

function asLedgerError(error: unknown): LedgerError {
  return error instanceof LedgerError
    ? error
    : new LedgerError('STORE_ERROR', 'Unexpected failure.', { details: String(error), cause: error });
}
