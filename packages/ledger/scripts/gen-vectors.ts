/**
 * Generates the golden ledger vectors in spec/vectors/ledger/ (run from the repo root):
 *   npx tsx --conditions=source packages/ledger/scripts/gen-vectors.ts
 * `test/vectors.test.ts` regenerates them in memory and fails when the files drift.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { MsgpackWriter } from '../src/canonicalMsgpack';
import {
  buildTransaction,
  decodeAddress,
  decodeBlock,
  joinSignature,
  type LedgerNode,
  signBlock,
  signBytes,
  signTransaction,
  TRANSFER_FEE,
  transactionSigningBytes,
  transactionToJson,
  txRoot,
  unitsToJson,
} from '../src/index';
import { scenarioChain } from '../test/scenario';
import { COORDINATOR, T0, testKey } from '../test/testChain';

const CHAIN = 'ailo-test';
const hex = bytesToHex;

function craft(fields: (w: MsgpackWriter) => void, domain = 'ailo-tx-v1', chain = CHAIN): string {
  const w = new MsgpackWriter();
  w.raw(new TextEncoder().encode(`${domain}\u0000${chain}\u0000`));
  fields(w);
  w.raw(new Uint8Array(64).fill(0x11));
  return hex(w.finish());
}

export async function transactionVectors(): Promise<unknown> {
  const alice = testKey(1);
  const bob = testKey(2);
  const base = { from: alice.address, nonce: 1n, timestamp: T0 };
  const valid = [
    [
      'TRANSFER',
      alice,
      { ...base, type: 'TRANSFER', to: bob.address, amount: 150_000_000n, memo: 'coffee ☕' },
    ],
    [
      'TRANSFER with a 256-byte memo',
      alice,
      { ...base, type: 'TRANSFER', to: bob.address, amount: 1n, memo: 'é'.repeat(128) },
    ],
    [
      'MINT training',
      COORDINATOR,
      {
        type: 'MINT',
        from: COORDINATOR.address,
        to: alice.address,
        amount: 10_000_000n,
        reason: 'training',
        reference: 'round-17',
        nonce: 0n,
        timestamp: T0,
      },
    ],
    [
      'MINT inference with a uint64 nonce',
      COORDINATOR,
      {
        type: 'MINT',
        from: COORDINATOR.address,
        to: bob.address,
        amount: 5_000_000n,
        reason: 'inference',
        reference: 'req-9',
        nonce: 2n ** 40n,
        timestamp: T0,
      },
    ],
    [
      'VERIFY',
      bob,
      { type: 'VERIFY', from: bob.address, reference: 'ab'.repeat(32), nonce: 3n, timestamp: T0 },
    ],
    [
      'REPORT',
      bob,
      { type: 'REPORT', from: bob.address, reference: 'cd'.repeat(32), nonce: 4n, timestamp: T0 },
    ],
    [
      'REVERSAL',
      COORDINATOR,
      {
        type: 'REVERSAL',
        from: COORDINATOR.address,
        to: alice.address,
        amount: 42n,
        reference: 'ef'.repeat(32),
        nonce: 5n,
        timestamp: T0,
      },
    ],
    ['REGISTER', alice, { ...base, type: 'REGISTER', reference: 'alice_01' }],
  ] as const;
  const good = signTransaction(
    buildTransaction({ ...base, type: 'TRANSFER', to: bob.address, amount: 5n }),
    alice,
    CHAIN,
  );
  const forgedMintTx = buildTransaction({
    type: 'MINT',
    from: COORDINATOR.address,
    to: alice.address,
    amount: 1n,
    reason: 'training',
    reference: 'r',
    nonce: 9n,
    timestamp: T0,
  });
  const forgedSb = transactionSigningBytes(forgedMintTx, CHAIN);
  const flipped = Uint8Array.from(good.bytes);
  flipped[flipped.length - 1]! ^= 1;
  const fields =
    (over: Record<string, (w: MsgpackWriter) => void> = {}) =>
    (w: MsgpackWriter) => {
      const order: Array<[string, (w: MsgpackWriter) => void]> = [
        ['type', (x) => x.str('TRANSFER')],
        ['from', (x) => x.bin(decodeAddress(alice.address))],
        ['to', (x) => x.bin(decodeAddress(bob.address))],
        ['amount', (x) => x.uint(5n)],
        ['fee', (x) => x.uint(TRANSFER_FEE)],
        ['nonce', (x) => x.uint(1n)],
        ['timestamp', (x) => x.uint(T0)],
        ['reason', (x) => x.str('')],
        ['reference', (x) => x.str('')],
        ['memo', (x) => x.str('')],
      ];
      w.array(order.length);
      for (const [name, f] of order) (over[name] ?? f)(w);
    };
  const invalid: Array<{ name: string; wire: string; stage: 'decode' | 'verify'; error: string }> = [
    {
      name: 'truncated by one byte',
      wire: hex(good.bytes.slice(0, -1)),
      stage: 'decode',
      error: 'ENCODING_TRUNCATED',
    },
    {
      name: 'oversized (1025 bytes)',
      wire: hex(Uint8Array.from([...good.bytes, ...new Uint8Array(1025 - good.bytes.length)])),
      stage: 'decode',
      error: 'ENCODING_OVERSIZED',
    },
    {
      name: 'trailing byte before the signature',
      wire: hex(Uint8Array.from([...good.signingBytes, 0xc0, ...good.signature])),
      stage: 'decode',
      error: 'ENCODING_MALFORMED',
    },
    { name: 'wrong domain tag', wire: craft(fields(), 'ailo-tx-v0'), stage: 'decode', error: 'WRONG_DOMAIN' },
    {
      name: 'wrong chain id',
      wire: craft(fields(), 'ailo-tx-v1', 'ailo-main'),
      stage: 'decode',
      error: 'WRONG_CHAIN',
    },
    {
      name: 'non-canonical amount (cd0005)',
      wire: craft(fields({ amount: (w) => w.raw(Uint8Array.of(0xcd, 0, 5)) })),
      stage: 'decode',
      error: 'ENCODING_NON_CANONICAL',
    },
    {
      name: 'negative amount (ff)',
      wire: craft(fields({ amount: (w) => w.raw(Uint8Array.of(0xff)) })),
      stage: 'decode',
      error: 'ENCODING_MALFORMED',
    },
    {
      name: 'amount 0',
      wire: craft(fields({ amount: (w) => w.uint(0n) })),
      stage: 'decode',
      error: 'INVALID_AMOUNT',
    },
    {
      name: 'amount 2^64-1 above the supply cap',
      wire: craft(fields({ amount: (w) => w.uint(2n ** 64n - 1n) })),
      stage: 'decode',
      error: 'INVALID_AMOUNT',
    },
    {
      name: 'memo of 257 bytes',
      wire: craft(fields({ memo: (w) => w.str('x'.repeat(257)) })),
      stage: 'decode',
      error: 'MEMO_TOO_LONG',
    },
    {
      name: 'unknown type',
      wire: craft(fields({ type: (w) => w.str('BURN') })),
      stage: 'decode',
      error: 'UNKNOWN_TYPE',
    },
    {
      name: 'wrong fee',
      wire: craft(fields({ fee: (w) => w.uint(TRANSFER_FEE - 1n) })),
      stage: 'decode',
      error: 'INVALID_FEE',
    },
    {
      name: 'sender = recipient',
      wire: craft(fields({ to: (w) => w.bin(decodeAddress(alice.address)) })),
      stage: 'decode',
      error: 'SELF_TRANSFER',
    },
    { name: 'signature bit flipped', wire: hex(flipped), stage: 'verify', error: 'BAD_SIGNATURE' },
    {
      name: 'MINT claiming the coordinator, signed by another key',
      wire: hex(joinSignature(forgedSb, signBytes(forgedSb, alice.secretKey))),
      stage: 'verify',
      error: 'BAD_SIGNATURE',
    },
  ];
  return {
    description: 'Signed ledger transactions (spec/ledger.md §3–§5). wire = signing bytes ‖ signature, hex.',
    chainId: CHAIN,
    keys: [COORDINATOR, alice, bob].map((k) => ({
      seed: hex(k.secretKey),
      publicKey: hex(k.publicKey),
      address: k.address,
    })),
    valid: valid.map(([name, key, input]) => {
      const stx = signTransaction(buildTransaction(input as never), key, CHAIN);
      return {
        name,
        tx: transactionToJson(stx),
        signingBytes: hex(stx.signingBytes),
        wire: hex(stx.bytes),
        id: stx.id,
      };
    }),
    invalid,
  };
}

async function invalidBlocks(node: LedgerNode): Promise<unknown[]> {
  const tip = node.tip;
  const keys = Array.from({ length: 3 }, (_, i) => testKey(100 + i));
  const header = (over: Record<string, unknown>, ids: string[]) => ({
    height: tip.height + 1,
    prevHash: hexToBytes(tip.hash),
    timestamp: tip.timestamp,
    txCount: ids.length,
    txRoot: txRoot(ids),
    stateHash: new Uint8Array(32),
    ...over,
  });
  const wire = (b: ReturnType<typeof signBlock>): string => {
    const w = new MsgpackWriter();
    w.array(2).bin(joinSignature(b.headerSigningBytes, b.signature)).array(b.transactions.length);
    for (const t of b.transactions) w.bin(t.bytes);
    return hex(w.finish());
  };
  const overspend = signTransaction(
    buildTransaction({
      type: 'TRANSFER',
      from: keys[0]!.address,
      to: keys[1]!.address,
      amount: 10n ** 15n,
      nonce: 100n,
      timestamp: tip.timestamp,
    }),
    keys[0]!,
    CHAIN,
  );
  const notCoordinator = signTransaction(
    buildTransaction({
      type: 'MINT',
      from: keys[2]!.address,
      to: keys[1]!.address,
      amount: 1n,
      reason: 'training',
      reference: 'r',
      nonce: 100n,
      timestamp: tip.timestamp,
    }),
    keys[2]!,
    CHAIN,
  );
  const empty = (over: Record<string, unknown>, signer = COORDINATOR) =>
    signBlock(header(over, []) as never, [], signer, CHAIN);
  const withTx = (t: typeof overspend) => signBlock(header({}, [t.id]) as never, [t], COORDINATOR, CHAIN);
  return [
    {
      name: 'signed by a key other than the coordinator',
      wire: wire(empty({}, testKey(66))),
      error: 'BLOCK_BAD_SIGNATURE',
    },
    {
      name: 'height skips one',
      wire: wire(empty({ height: tip.height + 2 })),
      error: 'BLOCK_HEIGHT_MISMATCH',
    },
    {
      name: 'prev hash is not the tip',
      wire: wire(empty({ prevHash: new Uint8Array(32) })),
      error: 'BLOCK_PREV_HASH_MISMATCH',
    },
    {
      name: 'tx root does not match',
      wire: wire(
        signBlock(
          header({ txRoot: new Uint8Array(32) }, [overspend.id]) as never,
          [overspend],
          COORDINATOR,
          CHAIN,
        ),
      ),
      error: 'BLOCK_TX_ROOT_MISMATCH',
    },
    { name: 'state hash does not match', wire: wire(empty({})), error: 'BLOCK_STATE_HASH_MISMATCH' },
    { name: 'time goes back', wire: wire(empty({ timestamp: tip.timestamp - 1 })), error: 'BLOCK_TIMESTAMP' },
    {
      name: 'holds an overspending transfer',
      wire: wire(withTx(overspend)),
      error: 'BLOCK_INVALID_TX',
      cause: 'INSUFFICIENT_FUNDS',
    },
    {
      name: 'holds a MINT not signed by the coordinator',
      wire: wire(withTx(notCoordinator)),
      error: 'BLOCK_INVALID_TX',
      cause: 'NOT_COORDINATOR',
    },
  ];
}

export async function blockVectors(): Promise<unknown> {
  const { node, blocks, keys } = await scenarioChain();
  const accounts = [...keys, COORDINATOR, testKey(1)].map((k) => node.account(k.address));
  const transfers: Array<{ id: string; status: string; verifiers: number; reporters: number }> = [];
  for (const b of blocks) {
    for (const t of decodeBlock(b, CHAIN).transactions) {
      const rec = node.transfer(t.id);
      if (rec)
        transfers.push({
          id: t.id,
          status: rec.status,
          verifiers: rec.verifiers.length,
          reporters: rec.reporters.length,
        });
    }
  }
  const tips = [];
  for (let h = 1; h <= node.tip.height; h++) {
    const b = (await node.getBlock(h))!;
    tips.push({ height: h, hash: b.hash, stateHash: hex(b.header.stateHash) });
  }
  return {
    description:
      'A block sequence touching every transaction type and transfer status (spec/ledger.md §6–§10).',
    params: { ...node.params },
    genesisHash: tips.length ? hex(decodeBlock(blocks[0]!, CHAIN).header.prevHash) : '',
    blocks: blocks.map(hex),
    tips,
    final: {
      height: node.tip.height,
      stateHash: node.tip.stateHash,
      minted: unitsToJson(node.supply().minted),
      burned: unitsToJson(node.supply().burned),
      balances: accounts
        .filter((a) => a.balance > 0n || a.lastNonce !== null)
        .map((a) => ({
          address: a.address,
          username: a.username,
          balance: unitsToJson(a.balance),
          locked: unitsToJson(a.locked),
          lastNonce: a.lastNonce === null ? null : unitsToJson(a.lastNonce),
        })),
      transfers,
    },
    invalidBlocks: await invalidBlocks(node),
  };
}

/** Every vector file: name → JSON text. */
export async function generateLedgerVectors(): Promise<Record<string, string>> {
  const text = (v: unknown) =>
    `${JSON.stringify(v, (_k, x) => (typeof x === 'bigint' ? x.toString() : x), 2)}\n`;
  return {
    'transactions.json': text(await transactionVectors()),
    'blocks.json': text(await blockVectors()),
  };
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const dir = join(import.meta.dirname, '..', '..', '..', 'spec', 'vectors', 'ledger');
  for (const [name, content] of Object.entries(await generateLedgerVectors())) {
    writeFileSync(join(dir, name), content);
    console.log(`wrote ${join(dir, name)}`);
  }
}
