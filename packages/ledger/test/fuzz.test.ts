/**
 * Fuzzing of this package's decoders (docs/reliability.md, "Fuzzing"): transactions, blocks, and
 * block verification against a live chain get structured, mutated and random bytes. For any
 * input a decoder returns a value or throws a LedgerError with a documented code — never another
 * exception, never a hang, never an allocation out of proportion to the input. The encoding is
 * canonical, so anything accepted re-encodes to the very same bytes; a rejected block leaves the
 * chain as it was. Size: `AILO_FUZZ_RUNS` cases per decoder (CI default is small;
 * `node scripts/fuzz.mjs` runs 100 000).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import fc from 'fast-check';
import { beforeAll, describe, expect, it } from 'vitest';
import { mutatedBytes, prefixes, randomBytes } from '../../../scripts/fuzz/byteMutations';
import { fuzzDecoder, fuzzDecoderAsync } from '../../../scripts/fuzz/fuzzDecoder';
import { FUZZ_RUNS } from '../../../scripts/fuzz/fuzzSettings';
import {
  type Block,
  type BlockHeader,
  blockHeaderSigningBytes,
  buildTransaction,
  createChainParams,
  decodeBlock,
  decodeTransaction,
  encodeAddress,
  encodeBlock,
  joinSignature,
  keyPairFromSecretKey,
  LedgerError,
  LedgerNode,
  type LedgerStore,
  MAX_SUPPLY,
  MINT_REASONS,
  memoryStore,
  type SignedTransaction,
  signBytes,
  TRANSFER_FEE,
  type Transaction,
  type TransactionInput,
  TX_TYPES,
  transactionId,
  transactionSigningBytes,
  txRoot,
} from '../src/index';
import { nodeVerifier } from '../src/node';

const VECTOR_DIR = join(import.meta.dirname, '..', '..', '..', 'spec', 'vectors', 'ledger');
const TXV = JSON.parse(readFileSync(join(VECTOR_DIR, 'transactions.json'), 'utf8'));
const BV = JSON.parse(readFileSync(join(VECTOR_DIR, 'blocks.json'), 'utf8'));
const CHAIN: string = TXV.chainId;
const KEYS = (TXV.keys as Array<{ seed: string }>).map((k) => keyPairFromSecretKey(hexToBytes(k.seed)));
const COORDINATOR = KEYS[0]!;

const TX_WIRES: Uint8Array[] = [
  ...TXV.valid.map((v: { wire: string }) => hexToBytes(v.wire)),
  ...TXV.invalid.map((v: { wire: string }) => hexToBytes(v.wire)),
];
const VALID_TX_WIRES = TXV.valid.map((v: { wire: string }) => hexToBytes(v.wire)) as Uint8Array[];
const BLOCKS = (BV.blocks as string[]).map(hexToBytes);
const BAD_BLOCKS = (BV.invalidBlocks as Array<{ wire: string }>).map((b) => hexToBytes(b.wire));

/** The codes of spec/ledger.md §12 that decoding can raise: encoding rules, then field rules. */
const ENCODING_CODES = [
  'ENCODING_TRUNCATED',
  'ENCODING_OVERSIZED',
  'ENCODING_NON_CANONICAL',
  'ENCODING_MALFORMED',
  'WRONG_DOMAIN',
  'WRONG_CHAIN',
];
const FIELD_CODES = [
  'UNKNOWN_TYPE',
  'INVALID_AMOUNT',
  'INVALID_FEE',
  'INVALID_NONCE',
  'INVALID_TIMESTAMP',
  'INVALID_ADDRESS',
  'INVALID_USERNAME',
  'INVALID_REASON',
  'INVALID_REFERENCE',
  'MEMO_TOO_LONG',
  'INVALID_KEY',
  'SELF_TRANSFER',
];
const TX_CODES = [...ENCODING_CODES, ...FIELD_CODES];
const BLOCK_CODES = [...TX_CODES, 'BLOCK_TOO_LARGE', 'BLOCK_INVALID_TX', 'BLOCK_TX_ROOT_MISMATCH'];
/** Applying a block: decoding plus every block, signature and state rule (no storage or key-file codes). */
const APPLY_CODES = [
  ...BLOCK_CODES,
  'BAD_SIGNATURE',
  'NOT_COORDINATOR',
  'TIMESTAMP_IN_FUTURE',
  'INSUFFICIENT_FUNDS',
  'NONCE_NOT_INCREASING',
  'DUPLICATE_TRANSACTION',
  'SUPPLY_EXCEEDED',
  'UNKNOWN_TRANSFER',
  'NOT_ELIGIBLE',
  'NOT_ACTIVE',
  'ALREADY_VOTED',
  'ALREADY_CONFIRMED',
  'TRANSFER_DISPUTED',
  'TRANSFER_FINAL',
  'ALREADY_REVERSED',
  'NOT_REPORTED',
  'QUORUM_NOT_MET',
  'REVERSAL_MISMATCH',
  'USERNAME_TAKEN',
  'ALREADY_REGISTERED',
  'UNKNOWN_ACCOUNT',
  'BLOCK_HEIGHT_MISMATCH',
  'BLOCK_PREV_HASH_MISMATCH',
  'BLOCK_BAD_SIGNATURE',
  'BLOCK_STATE_HASH_MISMATCH',
  'BLOCK_TIMESTAMP',
  'CONSERVATION_VIOLATED',
];

/**
 * A LedgerError with a code in `codes`; a `BLOCK_INVALID_TX` must wrap a LedgerError too (the
 * block decoder wraps whatever a transaction threw, which would hide a TypeError).
 */
function ledgerCode(codes: readonly string[]): (error: unknown) => string | undefined {
  const allowed = new Set(codes);
  return (error) => {
    if (!(error instanceof LedgerError) || error.name !== 'LedgerError' || !allowed.has(error.code))
      return undefined;
    if (error.code === 'BLOCK_INVALID_TX') {
      const cause = error.cause;
      if (!(cause instanceof LedgerError) || !allowed.has(cause.code)) return undefined;
      return `BLOCK_INVALID_TX/${cause.code}`;
    }
    return error.code;
  };
}

const hostileKeys = [
  new Uint8Array(32),
  Uint8Array.of(1, ...new Array(31).fill(0)),
  new Uint8Array(32).fill(0xff),
];
const addressArb = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom(...KEYS.map((k) => k.address)) },
  { weight: 1, arbitrary: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(encodeAddress) },
  { weight: 1, arbitrary: fc.constantFrom(...hostileKeys).map(encodeAddress) },
);
const u64 = fc.oneof(
  fc.constantFrom(0n, 1n, TRANSFER_FEE, MAX_SUPPLY, MAX_SUPPLY + 1n, 2n ** 32n, 2n ** 53n, 2n ** 64n - 1n),
  fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }),
);
const idHex = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(bytesToHex);
const text = (maxLength: number) =>
  fc.oneof(
    fc.string({ maxLength }),
    fc.string({ unit: 'binary', maxLength }),
    fc.constantFrom('', ...MINT_REASONS, 'alice_01', 'round-7'),
    idHex,
  );

/** Every field drawn from its whole encodable range, then signed with a random 64-byte "signature". */
const rawTx: fc.Arbitrary<Transaction> = fc.record({
  type: fc.oneof(fc.constantFrom(...TX_TYPES), fc.string({ maxLength: 10 })) as fc.Arbitrary<
    Transaction['type']
  >,
  from: addressArb,
  to: fc.option(addressArb, { nil: null }),
  amount: u64,
  fee: u64,
  nonce: u64,
  timestamp: fc.oneof(fc.constantFrom(0, 1_700_000_000_000, Number.MAX_SAFE_INTEGER), fc.nat()),
  reason: text(12) as fc.Arbitrary<Transaction['reason']>,
  reference: text(140),
  memo: text(270),
});

/** Inputs shaped per type so that most pass the field rules (then `original` is set). */
const plausibleTx: fc.Arbitrary<TransactionInput> = fc
  .record({
    type: fc.constantFrom(...TX_TYPES),
    from: fc.nat({ max: KEYS.length - 1 }),
    to: fc.nat({ max: KEYS.length - 1 }),
    amount: fc.oneof(fc.constantFrom(1n, MAX_SUPPLY), fc.bigInt({ min: 1n, max: MAX_SUPPLY })),
    nonce: u64,
    timestamp: fc.nat(),
    reason: fc.constantFrom(...MINT_REASONS),
    id: idHex,
    username: fc.stringMatching(/^[a-z0-9_]{3,32}$/),
    memo: fc.string({ unit: 'binary', maxLength: 60 }),
  })
  .map(({ type, from, to, amount, nonce, timestamp, reason, id, username, memo }) => {
    const sender = KEYS[from]!.address;
    const recipient = KEYS[to === from ? (to + 1) % KEYS.length : to]!.address;
    const base = { type, from: sender, nonce, timestamp, memo };
    if (type === 'MINT') return { ...base, to: recipient, amount, reason, reference: 'round-1' };
    if (type === 'TRANSFER') return { ...base, to: recipient, amount };
    if (type === 'REVERSAL') return { ...base, to: recipient, amount, reference: id };
    if (type === 'REGISTER') return { ...base, reference: username };
    return { ...base, reference: id };
  });

interface TxCase {
  bytes: Uint8Array;
  original?: Transaction;
}

const signature = fc.uint8Array({ minLength: 64, maxLength: 64 });
const wire = (tx: Transaction, sig: Uint8Array) => joinSignature(transactionSigningBytes(tx, CHAIN), sig);
const domain = new TextEncoder().encode(`ailo-tx-v1\0${CHAIN}\0`);

const txCases: fc.Arbitrary<TxCase> = fc.oneof(
  {
    weight: 2,
    arbitrary: fc.tuple(plausibleTx, signature).map(([input, sig]) => {
      let tx: Transaction;
      try {
        tx = buildTransaction(input);
      } catch {
        const tx = {
          reason: '',
          reference: '',
          memo: '',
          to: null,
          amount: 0n,
          fee: 0n,
          timestamp: 0,
          ...input,
        };
        return { bytes: wire(tx as Transaction, sig) };
      }
      return { bytes: wire(tx, sig), original: tx };
    }),
  },
  { weight: 2, arbitrary: fc.tuple(rawTx, signature).map(([tx, sig]) => ({ bytes: wire(tx, sig) })) },
  { weight: 4, arbitrary: mutatedBytes(TX_WIRES).map((bytes) => ({ bytes })) },
  {
    weight: 1,
    arbitrary: randomBytes(400).map((tail) => {
      const bytes = new Uint8Array(domain.length + tail.length);
      bytes.set(domain);
      bytes.set(tail, domain.length);
      return { bytes };
    }),
  },
  { weight: 1, arbitrary: randomBytes(600).map((bytes) => ({ bytes })) },
);

describe('fuzz: transactions', () => {
  it('ledger.decodeTransaction: typed errors only; accepted bytes are canonical and round-trip', () => {
    const stats = fuzzDecoder(
      {
        name: 'ledger.decodeTransaction',
        inputs: txCases,
        sizeOf: (c) => c.bytes.length,
        decode: (c) => decodeTransaction(c.bytes, CHAIN),
        typedCode: ledgerCode(TX_CODES),
        onAccepted: (value, c) => {
          const stx = value as SignedTransaction;
          if (c.original !== undefined) expect(stx.tx).toEqual(c.original);
          expect(bytesToHex(wire(stx.tx as Transaction, stx.signature))).toBe(bytesToHex(c.bytes));
          expect(stx.id).toBe(transactionId(c.bytes));
          expect(stx.bytes).not.toBe(c.bytes); // the decoder keeps its own copy
        },
        onRejected: (error, c) => {
          if (c.original !== undefined)
            throw new Error('a transaction buildTransaction accepted was rejected', { cause: error });
        },
      },
      VALID_TX_WIRES.flatMap((w) => [...prefixes(w)].map((bytes) => ({ bytes }))),
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(expect.arrayContaining(['ENCODING_TRUNCATED', 'WRONG_DOMAIN']));
  });
});

/** A block assembled from a header and transactions, signed by `signer` (or carrying random bytes as signature). */
function assemble(header: BlockHeader, txs: readonly SignedTransaction[], signature: Uint8Array): Uint8Array {
  const headerSigningBytes = blockHeaderSigningBytes(header, CHAIN);
  const block: Block = { header, signature, headerSigningBytes, hash: '', transactions: txs };
  return encodeBlock(block);
}

const DECODED_BLOCKS = BLOCKS.map((b) => decodeBlock(b, CHAIN));
const ALL_TXS = DECODED_BLOCKS.flatMap((b) => b.transactions);

/** Edits of a genuine block: its header fields and its transaction list. */
interface BlockEdit {
  target: number;
  height: number;
  prevHash: number;
  timestamp: number;
  txCount: number;
  stateHash: number;
  txs: Array<{ op: 'drop' | 'duplicate' | 'swap' | 'replay'; at: number; from: number }>;
  keepRoot: boolean;
}

/** Mostly small edits that keep the header linked, so that many reach the transaction and state rules. */
const keepOr = <T>(keep: T, other: fc.Arbitrary<T>) =>
  fc.oneof({ weight: 4, arbitrary: fc.constant(keep) }, { weight: 1, arbitrary: other });
const blockEdit: fc.Arbitrary<BlockEdit> = fc.record({
  target: fc.nat({ max: BLOCKS.length - 1 }),
  height: keepOr(0, fc.constantFrom(-1, 1, 2 ** 31, Number.MAX_SAFE_INTEGER)),
  prevHash: keepOr(-1, fc.nat({ max: 255 })),
  timestamp: keepOr(0, fc.constantFrom(-1, -1_000_000, 1, 120_001, 10 ** 12)),
  txCount: keepOr(0, fc.constantFrom(-1, 1, 10_001)),
  stateHash: keepOr(-1, fc.nat({ max: 255 })),
  txs: fc.array(
    fc.record({ op: fc.constantFrom('drop', 'duplicate', 'swap', 'replay'), at: fc.nat(), from: fc.nat() }),
    { maxLength: 2 },
  ),
  keepRoot: fc.boolean(),
});

/** Applies an edit; the result is re-signed by the coordinator, so it passes the signature check. */
function editedBlock(e: BlockEdit): Uint8Array {
  const genuine = DECODED_BLOCKS[e.target]!;
  const txs = [...genuine.transactions];
  for (const t of e.txs) {
    const i = txs.length === 0 ? 0 : t.at % txs.length;
    if (t.op === 'drop') txs.splice(i, 1);
    else if (t.op === 'duplicate' && txs.length > 0) txs.splice(i, 0, txs[i]!);
    else if (t.op === 'swap' && txs.length > 1) [txs[i], txs[0]] = [txs[0]!, txs[i]!];
    else if (t.op === 'replay') txs.splice(i, 0, ALL_TXS[t.from % ALL_TXS.length]!);
  }
  const flip = (h: Uint8Array, bit: number) => {
    const out = h.slice();
    if (bit >= 0) out[bit >> 3]! ^= 1 << (bit & 7);
    return out;
  };
  const g = genuine.header;
  const clampU = (n: number) => Math.min(Number.MAX_SAFE_INTEGER, Math.max(0, n));
  const header: BlockHeader = {
    height: clampU(e.height > 1 ? e.height : g.height + e.height),
    prevHash: flip(g.prevHash, e.prevHash),
    timestamp: clampU(g.timestamp + e.timestamp),
    txCount: clampU(txs.length + e.txCount),
    txRoot: e.keepRoot ? g.txRoot : txRoot(txs.map((t) => t.id)),
    stateHash: flip(g.stateHash, e.stateHash),
  };
  return assemble(header, txs, signBytes(blockHeaderSigningBytes(header, CHAIN), COORDINATOR.secretKey));
}

interface BlockCase {
  /** which genuine block this was made from (blocks are applied on the chain before it) */
  target: number;
  bytes: Uint8Array;
  /** re-signed by the coordinator key, so it may be accepted without being the genuine block */
  resigned: boolean;
}

const blockCases: fc.Arbitrary<BlockCase> = fc.oneof(
  {
    weight: 1,
    arbitrary: fc
      .nat({ max: BLOCKS.length - 1 })
      .map((target) => ({ target, bytes: BLOCKS[target]!, resigned: false })),
  },
  {
    weight: 3,
    arbitrary: blockEdit.map((e) => ({ target: e.target, bytes: editedBlock(e), resigned: true })),
  },
  {
    weight: 5,
    arbitrary: fc.nat({ max: BLOCKS.length - 1 }).chain((target) =>
      mutatedBytes([BLOCKS[target]!, ...BLOCKS, ...BAD_BLOCKS, ...VALID_TX_WIRES]).map((bytes) => ({
        target,
        bytes,
        resigned: false,
      })),
    ),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: BLOCKS.length - 1 }), fc.nat({ max: BAD_BLOCKS.length - 1 }))
      .map(([target, i]) => ({ target, bytes: BAD_BLOCKS[i]!, resigned: false })),
  },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.nat({ max: BLOCKS.length - 1 }), randomBytes(600))
      .map(([target, bytes]) => ({ target, bytes, resigned: false })),
  },
);

describe('fuzz: blocks', () => {
  it('ledger.decodeBlock: typed errors only; accepted blocks re-encode to the same bytes', () => {
    const stats = fuzzDecoder(
      {
        name: 'ledger.decodeBlock',
        inputs: blockCases,
        sizeOf: (c) => c.bytes.length,
        decode: (c) => decodeBlock(c.bytes, CHAIN),
        typedCode: ledgerCode(BLOCK_CODES),
        onAccepted: (value, c) => {
          const block = value as Block;
          expect(bytesToHex(encodeBlock(block))).toBe(bytesToHex(c.bytes));
          expect(block.header.txCount).toBe(block.transactions.length);
          expect(bytesToHex(txRoot(block.transactions.map((t) => t.id)))).toBe(
            bytesToHex(block.header.txRoot),
          );
        },
      },
      // every length of every block in long runs; in CI only of the blocks under 1 KB
      BLOCKS.flatMap((b, target) =>
        FUZZ_RUNS >= 10_000 || b.length < 1000
          ? [...prefixes(b)].map((bytes) => ({ target, bytes, resigned: false }))
          : [],
      ),
    );
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(
      expect.arrayContaining(['BLOCK_TX_ROOT_MISMATCH', 'ENCODING_TRUNCATED']),
    );
  });

  /** Nodes at heights 0 … 4 of the golden chain: nodes[h] has blocks 1 … h applied. */
  const nodes: LedgerNode[] = [];
  /** Store contents at each height: reopening from them is cheaper than replaying blocks. */
  const snapshots: Array<Array<[string, Uint8Array]>> = [];
  const open = (store: LedgerStore) =>
    LedgerNode.open({
      store,
      params: createChainParams(BV.params),
      verifier: nodeVerifier,
      clock: () => Number.MAX_SAFE_INTEGER / 2,
    });
  const openAt = async (height: number): Promise<LedgerNode> => {
    const store = memoryStore();
    const snapshot = snapshots[height];
    if (snapshot !== undefined) {
      await store.open();
      await store.write(snapshot.map(([key, value]) => ({ type: 'put' as const, key, value })));
      return open(store);
    }
    const node = await open(store);
    for (let i = 0; i < height; i++) await node.applyBlock(BLOCKS[i]!);
    const entries: Array<[string, Uint8Array]> = [];
    for await (const entry of store.entries('')) entries.push(entry);
    snapshots[height] = entries;
    return node;
  };
  beforeAll(async () => {
    for (let h = 0; h < BLOCKS.length; h++) nodes.push(await openAt(h));
  });

  it('ledger.applyBlock: full verification, typed errors only; a rejected block leaves the chain unchanged', async () => {
    const tips = BV.tips as Array<{ height: number; hash: string; stateHash: string }>;
    const before = (target: number) => nodes[target]!.tip;
    let snapshot = { height: 0, hash: '', stateHash: '' };
    const stats = await fuzzDecoderAsync({
      name: 'ledger.applyBlock',
      inputs: blockCases,
      sizeOf: (c) => c.bytes.length,
      decode: (c) => {
        const tip = before(c.target);
        snapshot = { height: tip.height, hash: tip.hash, stateHash: tip.stateHash };
        return nodes[c.target]!.applyBlock(c.bytes);
      },
      typedCode: ledgerCode(APPLY_CODES),
      onAccepted: async (value, c) => {
        const block = value as Block;
        const node = nodes[c.target]!;
        nodes[c.target] = await openAt(c.target); // back to the height the target block extends
        const tip = node.tip;
        expect(tip.height).toBe(snapshot.height + 1);
        expect(tip.hash).toBe(block.hash);
        // only the genuine block, or one the coordinator signed, can extend the chain
        if (!c.resigned)
          expect({ height: tip.height, hash: tip.hash, stateHash: tip.stateHash }).toEqual(tips[c.target]);
        const supply = node.supply();
        expect(supply.burned).toBeLessThanOrEqual(supply.minted);
      },
      onRejected: (_error, c) => {
        const tip = nodes[c.target]!.tip;
        expect({ height: tip.height, hash: tip.hash, stateHash: tip.stateHash }).toEqual(snapshot);
      },
    });
    expect(stats.accepted).toBeGreaterThan(0);
    expect(Object.keys(stats.codes)).toEqual(
      expect.arrayContaining(['BLOCK_BAD_SIGNATURE', 'BLOCK_STATE_HASH_MISMATCH']),
    );
  });
});
