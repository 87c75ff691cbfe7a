import { sha256 } from '@noble/hashes/sha2.js';
import {
  buildTransaction,
  type ChainParams,
  type ChainParamsInput,
  createChainParams,
  type KeyPair,
  keyPairFromSecretKey,
  LedgerNode,
  type LedgerStore,
  memoryStore,
  type ProducedBlock,
  type SignatureVerifier,
  type SignedTransaction,
  signTransaction,
  type TransactionInput,
  UNITS_PER_ALC,
} from '../src/index';
import { nodeVerifier } from '../src/node';

/** Deterministic test identity number `i` (seed = sha256("ailo-test-key-" + i)). */
export function testKey(i: number): KeyPair {
  return keyPairFromSecretKey(sha256(new TextEncoder().encode(`ailo-test-key-${i}`)));
}

export const COORDINATOR = testKey(0);
export const OPERATOR = testKey(1);
export const T0 = 1_700_000_000_000; // ms; start of test time

export function testParams(over: Partial<ChainParamsInput> = {}): ChainParams {
  return createChainParams({
    chainId: 'ailo-test',
    coordinator: COORDINATOR.address,
    operator: OPERATOR.address,
    ...over,
  });
}

/** A manual clock for nodes under test. */
export class TestClock {
  constructor(public now = T0) {}
  readonly read = (): number => this.now;
  advance(ms: number): number {
    this.now += ms;
    return this.now;
  }
}

export interface TestNodeOptions {
  store?: LedgerStore;
  params?: ChainParams;
  clock?: TestClock;
  verifier?: SignatureVerifier;
  producer?: boolean;
}

/** A node with a memory store; the coordinator key when `producer` (default true). */
export async function openTestNode(o: TestNodeOptions = {}): Promise<LedgerNode> {
  const clock = o.clock ?? new TestClock();
  return LedgerNode.open({
    store: o.store ?? memoryStore(),
    params: o.params ?? testParams(),
    ...(o.producer === false ? {} : { blockSigner: COORDINATOR }),
    verifier: o.verifier ?? nodeVerifier,
    clock: clock.read,
  });
}

/** Signs with `key` for the test chain (nonce and timestamp explicit). */
export function signed(
  key: KeyPair,
  input: Omit<TransactionInput, 'from'>,
  chainId = 'ailo-test',
): SignedTransaction {
  return signTransaction(buildTransaction({ ...input, from: key.address }), key, chainId);
}

/** Submits every transaction (throwing on the first failure) and seals one block. */
export async function seal(node: LedgerNode, txs: readonly SignedTransaction[]): Promise<ProducedBlock> {
  for (const t of txs) await node.submit(t);
  const produced = await node.produceBlock();
  if (produced.rejected.length > 0) throw produced.rejected[0]!.error;
  return produced;
}

/**
 * A coordinator node plus `count` funded, active nodes (each minted `amount`), all in block 1.
 */
export async function fundedNetwork(
  count: number,
  o: TestNodeOptions & { amount?: bigint; firstKey?: number } = {},
): Promise<{ node: LedgerNode; keys: KeyPair[]; clock: TestClock }> {
  const clock = o.clock ?? new TestClock();
  const node = await openTestNode({ ...o, clock });
  const keys = Array.from({ length: count }, (_, i) => testKey((o.firstKey ?? 100) + i));
  const first = node.nextNonce(COORDINATOR.address);
  await seal(
    node,
    keys.map((k, i) =>
      node.sign(COORDINATOR, {
        type: 'MINT',
        to: k.address,
        amount: o.amount ?? 100n * UNITS_PER_ALC,
        reason: 'training',
        reference: 'round-1',
        nonce: first + BigInt(i),
      }),
    ),
  );
  return { node, keys, clock };
}
