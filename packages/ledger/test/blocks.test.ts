import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { MsgpackWriter } from '../src/canonicalMsgpack';
import {
  type Block,
  type BlockHeader,
  decodeTransaction,
  encodeBlock,
  LedgerNode,
  type LedgerStore,
  memoryStore,
  parseAlc,
  type SignedTransaction,
  signBlock,
  txRoot,
} from '../src/index';
import { nodeVerifier } from '../src/node';
import {
  COORDINATOR,
  fundedNetwork,
  openTestNode,
  seal,
  signed,
  T0,
  TestClock,
  testKey,
  testParams,
} from './testChain';

const rejects = async (
  p: Promise<unknown>,
): Promise<{ code?: string; cause?: { code?: string } } | undefined> => {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; cause?: { code?: string } };
  }
  return undefined;
};

/** Every key and value of a store, to prove a failed apply wrote nothing. */
async function snapshot(store: LedgerStore): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for await (const [k, v] of store.entries('')) out.set(k, Buffer.from(v).toString('hex'));
  return out;
}

/** A coordinator with history, and a worker synced to it on its own store. */
async function setup() {
  const clock = new TestClock();
  const { node, keys } = await fundedNetwork(4, { clock, amount: parseAlc('2') });
  const store = memoryStore();
  const worker = await openTestNode({ store, producer: false, clock });
  await worker.applyBlock((await node.getBlockBytes(1))!);
  const header = (over: Partial<BlockHeader>, txs: readonly SignedTransaction[]): BlockHeader => ({
    height: worker.tip.height + 1,
    prevHash: hexToBytes(worker.tip.hash),
    timestamp: clock.now,
    txCount: txs.length,
    txRoot: txRoot(txs.map((t) => t.id)),
    stateHash: new Uint8Array(32),
    ...over,
  });
  const forge = (
    over: Partial<BlockHeader>,
    txs: readonly SignedTransaction[],
    signer = COORDINATOR,
  ): Block => signBlock(header(over, txs), txs, signer, 'ailo-test');
  const expectUnchanged = async (
    attempt: Promise<unknown>,
    code: string,
    causeCode?: string,
  ): Promise<void> => {
    const before = await snapshot(store);
    const tip = { ...worker.tip };
    const err = await rejects(attempt);
    expect(err?.code).toBe(code);
    if (causeCode) expect(err?.cause?.code).toBe(causeCode);
    expect(worker.tip).toEqual(tip);
    expect(await snapshot(store)).toEqual(before);
  };
  return { clock, node, keys, worker, store, forge, expectUnchanged };
}

describe('blocks: produce, apply, reject', () => {
  it('a worker applying the coordinator blocks reaches the same tip and state hash', async () => {
    const { node, keys, worker } = await setup();
    const { bytes } = await seal(node, [
      node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 5n }),
    ]);
    const applied = await worker.applyBlock(bytes);
    expect(applied.hash).toBe(node.tip.hash);
    expect(worker.tip).toEqual(node.tip);
    expect(worker.account(keys[1]!.address)).toEqual(node.account(keys[1]!.address));
    expect(await worker.findTransaction(applied.transactions[0]!.id)).toEqual({ height: 2, index: 0 });
  });

  it('a block signed by anyone but the coordinator is refused', async () => {
    const { forge, worker, expectUnchanged } = await setup();
    const b = forge({}, [], testKey(66));
    await expectUnchanged(worker.applyBlock(b), 'BLOCK_BAD_SIGNATURE');
  });

  it('a block that does not extend the tip is refused', async () => {
    const { node, keys, worker, forge, expectUnchanged } = await setup();
    await seal(node, [node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 5n })]);
    const b3 = await seal(node, [
      node.sign(keys[1]!, { type: 'TRANSFER', to: keys[2]!.address, amount: 5n }),
    ]);
    await expectUnchanged(worker.applyBlock(b3.bytes), 'BLOCK_HEIGHT_MISMATCH'); // skips height 2
    await expectUnchanged(worker.applyBlock((await node.getBlockBytes(1))!), 'BLOCK_HEIGHT_MISMATCH'); // replayed
    await expectUnchanged(
      worker.applyBlock(forge({ prevHash: new Uint8Array(32) }, [])),
      'BLOCK_PREV_HASH_MISMATCH',
    );
  });

  it('a block whose transactions do not match its tx root is refused', async () => {
    const { keys, forge, worker, expectUnchanged } = await setup();
    const t = signed(keys[0]!, {
      type: 'TRANSFER',
      to: keys[1]!.address,
      amount: 5n,
      nonce: 0n,
      timestamp: T0,
    });
    await expectUnchanged(
      worker.applyBlock(forge({ txRoot: new Uint8Array(32) }, [t])),
      'BLOCK_TX_ROOT_MISMATCH',
    );
  });

  it('a block with a wrong state hash is refused', async () => {
    const { keys, forge, worker, expectUnchanged } = await setup();
    const t = signed(keys[0]!, {
      type: 'TRANSFER',
      to: keys[1]!.address,
      amount: 5n,
      nonce: 0n,
      timestamp: T0,
    });
    await expectUnchanged(worker.applyBlock(forge({}, [t])), 'BLOCK_STATE_HASH_MISMATCH');
  });

  it('one invalid transaction rejects the whole block: nothing is partially applied', async () => {
    const { keys, forge, worker, expectUnchanged } = await setup();
    const ok = signed(keys[0]!, {
      type: 'TRANSFER',
      to: keys[1]!.address,
      amount: 5n,
      nonce: 0n,
      timestamp: T0,
    });
    const overspend = signed(keys[2]!, {
      type: 'TRANSFER',
      to: keys[1]!.address,
      amount: parseAlc('5'),
      nonce: 0n,
      timestamp: T0,
    });
    await expectUnchanged(
      worker.applyBlock(forge({}, [ok, overspend])),
      'BLOCK_INVALID_TX',
      'INSUFFICIENT_FUNDS',
    );
    const badSig = decodeTransaction(
      Uint8Array.from([...ok.signingBytes, ...new Uint8Array(64).fill(7)]),
      'ailo-test',
    );
    await expectUnchanged(worker.applyBlock(forge({}, [badSig])), 'BLOCK_INVALID_TX', 'BAD_SIGNATURE');
    const foreignMint = signed(testKey(66), {
      type: 'MINT',
      to: keys[0]!.address,
      amount: 1n,
      reason: 'training',
      reference: 'r',
      nonce: 0n,
      timestamp: T0,
    });
    await expectUnchanged(worker.applyBlock(forge({}, [foreignMint])), 'BLOCK_INVALID_TX', 'NOT_COORDINATOR');
    await expectUnchanged(worker.applyBlock(forge({}, [ok, ok])), 'BLOCK_INVALID_TX', 'NONCE_NOT_INCREASING');
    expect(worker.account(keys[1]!.address).balance).toBe(parseAlc('2'));
  });

  it('block timestamps never go back and never run ahead of the local clock beyond the skew', async () => {
    const { clock, forge, worker, expectUnchanged } = await setup();
    await expectUnchanged(
      worker.applyBlock(forge({ timestamp: worker.tip.timestamp - 1 }, [])),
      'BLOCK_TIMESTAMP',
    );
    const ahead = clock.now + worker.params.maxFutureSkewMs + 1;
    await expectUnchanged(worker.applyBlock(forge({ timestamp: ahead }, [])), 'BLOCK_TIMESTAMP');
  });

  it('malformed block bytes are refused with typed errors', async () => {
    const { node, keys, worker, expectUnchanged } = await setup();
    const { bytes } = await seal(node, [
      node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 5n }),
    ]);
    await expectUnchanged(worker.applyBlock(bytes.slice(0, -3)), 'ENCODING_TRUNCATED');
    await expectUnchanged(worker.applyBlock(Uint8Array.from([...bytes, 0])), 'ENCODING_MALFORMED');
    await expectUnchanged(worker.applyBlock(new Uint8Array(11 * 1024 * 1024)), 'BLOCK_TOO_LARGE');
    const other = await openTestNode({ params: testParams({ chainId: 'ailo-other' }) });
    await expectUnchanged(worker.applyBlock((await other.produceBlock()).bytes), 'WRONG_CHAIN');
    // header says 2 transactions, body holds 1
    const block = (await node.getBlock(2))!;
    const lying = signBlock({ ...block.header, txCount: 2 }, block.transactions, COORDINATOR, 'ailo-test');
    const w = new MsgpackWriter();
    w.array(2)
      .bin(Uint8Array.from([...lying.headerSigningBytes, ...lying.signature]))
      .array(1)
      .bin(block.transactions[0]!.bytes);
    await expectUnchanged(worker.applyBlock(w.finish()), 'ENCODING_MALFORMED');
  });

  it('a failed store write leaves memory untouched too', async () => {
    const { node, keys, worker, store } = await setup();
    const { bytes } = await seal(node, [
      node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 5n }),
    ]);
    const write = store.write.bind(store);
    store.write = async () => {
      throw new Error('disk full');
    };
    const tip = { ...worker.tip };
    const balance = worker.account(keys[1]!.address);
    expect((await rejects(worker.applyBlock(bytes)))?.code).toBe('STORE_ERROR');
    expect(worker.tip).toEqual(tip);
    expect(worker.account(keys[1]!.address)).toEqual(balance);
    store.write = write;
    await worker.applyBlock(bytes);
    expect(worker.tip).toEqual(node.tip);
  });

  it('stores: params must match, an empty store needs params, only the coordinator produces', async () => {
    const store = memoryStore();
    const node = await LedgerNode.open({ store, params: testParams(), verifier: nodeVerifier });
    expect((await rejects(node.produceBlock()))?.code).toBe('NOT_BLOCK_PRODUCER');
    expect(
      (await rejects(node.mint({ to: testKey(3).address, amount: 1n, reason: 'training', reference: 'r' })))
        ?.code,
    ).toBe('NOT_BLOCK_PRODUCER');
    await node.close();
    expect((await rejects(LedgerNode.open({ store, params: testParams({ burnShareBps: 1 }) })))?.code).toBe(
      'CHAIN_PARAMS_MISMATCH',
    );
    expect((await rejects(LedgerNode.open({ store: memoryStore() })))?.code).toBe('STORE_EMPTY');
    const reopened = await LedgerNode.open({ store });
    expect(reopened.params).toEqual(testParams());
  });

  it('verifyChain replays from genesis and reports the totals', async () => {
    const { node, keys } = await setup();
    await seal(node, [
      node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: parseAlc('1') }),
    ]);
    const report = await node.verifyChain();
    expect(report).toEqual({
      ok: true,
      height: 2,
      stateHash: node.tip.stateHash,
      minted: parseAlc('8'),
      burned: 500_000n,
      accounts: 6, // 4 funded, the operator (fees) and the coordinator (its nonce)
    });
  });

  it('encodeBlock and applyBlock(Block) agree with the wire path', async () => {
    const { node, keys, worker } = await setup();
    const { block, bytes } = await seal(node, [
      node.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 5n }),
    ]);
    expect(encodeBlock(block)).toEqual(bytes);
    await worker.applyBlock(block);
    expect(worker.tip).toEqual(node.tip);
  });
});
