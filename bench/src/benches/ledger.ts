import {
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  type KeyObject,
} from 'node:crypto';
import {
  buildTransaction,
  createChainParams,
  decodeTransaction,
  joinSignature,
  type KeyPair,
  keyPairFromSecretKey,
  LedgerNode,
  memoryStore,
  portableVerifier,
  type SignatureVerifier,
  type SignedTransaction,
  setSha256,
  type TransactionInput,
  transactionSigningBytes,
  UNITS_PER_ALC,
  verifyStrict,
} from '@ailo/ledger';
import { installNodeCrypto, nodeVerifier } from '@ailo/ledger/node';
import type { BenchModule, Figure } from '../types';

const CHAIN = 'ailo-bench';
const PKCS8 = Buffer.from('302e020100300506032b657004220420', 'hex');
const SPKI = Buffer.from('302a300506032b6570032100', 'hex');

function key(i: number): KeyPair {
  const seed = new Uint8Array(32);
  new DataView(seed.buffer).setUint32(0, i + 1);
  seed[31] = 0xa1;
  return keyPairFromSecretKey(seed);
}

/** Signs on node:crypto (same bytes as the portable signer: Ed25519 is deterministic); setup only. */
function sign(k: KeyPair, input: Omit<TransactionInput, 'from'>): SignedTransaction {
  const sk = createPrivateKey({ key: Buffer.concat([PKCS8, k.secretKey]), format: 'der', type: 'pkcs8' });
  const sb = transactionSigningBytes(buildTransaction({ ...input, from: k.address }), CHAIN);
  return decodeTransaction(joinSignature(sb, cryptoSign(null, sb, sk)), CHAIN);
}

interface Workload {
  /** Block 1: mints funding every sender. */
  funding: Uint8Array;
  /** Block 2: `count` transfers, one per sender. */
  transfers: Uint8Array;
  txs: SignedTransaction[];
  senders: KeyPair[];
}

/** A coordinator that funds `count` senders and seals one block of `count` transfers between them. */
async function workload(count: number): Promise<Workload> {
  const coordinator = key(0);
  const t = 1_700_000_000_000;
  const node = await LedgerNode.open({
    store: memoryStore(),
    params: createChainParams({ chainId: CHAIN, coordinator: coordinator.address }),
    blockSigner: coordinator,
    verifier: nodeVerifier,
    clock: () => t,
  });
  const senders = Array.from({ length: count }, (_, i) => key(i + 1));
  const mints = senders.map((s, i) =>
    sign(coordinator, {
      type: 'MINT',
      to: s.address,
      amount: 10n * UNITS_PER_ALC,
      reason: 'training',
      reference: 'r1',
      nonce: BigInt(i),
      timestamp: t,
    }),
  );
  await node.submitMany(mints);
  const funding = (await node.produceBlock()).bytes;
  const txs = senders.map((s, i) =>
    sign(s, {
      type: 'TRANSFER',
      to: senders[(i + 1) % count]!.address,
      amount: 1000n,
      nonce: 0n,
      timestamp: t,
      memo: 'bench',
    }),
  );
  await node.submitMany(txs);
  const transfers = (await node.produceBlock()).bytes;
  await node.close();
  return { funding, transfers, txs, senders };
}

/** CPU µs (all threads of the process) per item of the last measurement; logged beside the rates. */
let cpuPerItem = 0;
const cpuStart = (): NodeJS.CpuUsage => process.cpuUsage();
const cpuEnd = (start: NodeJS.CpuUsage, items: number): void => {
  const d = process.cpuUsage(start);
  cpuPerItem = (d.user + d.system) / items;
};

/** Transfers/s of `applyBlock` on a fresh worker (memory store) that already holds the funding block. */
async function applyRate(w: Workload, verifier: SignatureVerifier): Promise<number> {
  const node = await LedgerNode.open({
    store: memoryStore(),
    params: createChainParams({ chainId: CHAIN, coordinator: key(0).address }),
    verifier,
    clock: () => 1_700_000_000_000,
  });
  await node.applyBlock(w.funding);
  const c0 = cpuStart();
  const t0 = performance.now();
  await node.applyBlock(w.transfers);
  const s = (performance.now() - t0) / 1000;
  cpuEnd(c0, w.txs.length);
  await node.close();
  return w.txs.length / s;
}

/** Signatures/s of bare node:crypto Ed25519 verification (key objects made beforehand, one thread). */
function bareNodeRate(w: Workload, keys: KeyObject[]): number {
  const c0 = cpuStart();
  const t0 = performance.now();
  let ok = 0;
  w.txs.forEach((t, i) => {
    if (cryptoVerify(null, t.signingBytes, keys[i]!, t.signature)) ok++;
  });
  const s = (performance.now() - t0) / 1000;
  cpuEnd(c0, w.txs.length);
  if (ok !== w.txs.length) throw new Error('bench signatures do not verify');
  return w.txs.length / s;
}

/** Signatures/s of bare `@noble/ed25519` strict verification (the portable rule, nothing else). */
function bareNobleRate(w: Workload): number {
  const t0 = performance.now();
  for (const t of w.txs)
    if (!verifyStrict(t.signature, t.signingBytes, t.fromKey)) throw new Error('bad signature');
  return w.txs.length / ((performance.now() - t0) / 1000);
}

const ledger: BenchModule = {
  name: 'ledger',
  description:
    'Verify + apply a block of TRANSFERs (signatures, rules, state hash, atomic store write) vs bare Ed25519 verification',
  async run(ctx) {
    const reps = ctx.smoke ? 1 : 5;
    const fast = await workload(ctx.smoke ? 300 : 4000);
    const portable = await workload(ctx.smoke ? 40 : 300);
    const keys = fast.senders.map((s) =>
      createPublicKey({ key: Buffer.concat([SPKI, s.publicKey]), format: 'der', type: 'spki' }),
    );
    installNodeCrypto();
    await applyRate(fast, nodeVerifier); // warm-up: JIT and key caches
    setSha256(undefined);
    await applyRate(portable, portableVerifier);
    const ours: number[] = [];
    const bare: number[] = [];
    const oursPortable: number[] = [];
    const bareNoble: number[] = [];
    for (let r = 0; r < reps; r++) {
      bare.push(bareNodeRate(fast, keys));
      const bareCpu = cpuPerItem;
      installNodeCrypto(); // Node path: node:crypto signatures and hashes
      ours.push(await applyRate(fast, nodeVerifier));
      const oursCpu = cpuPerItem;
      setSha256(undefined); // portable path: pure JS throughout
      bareNoble.push(bareNobleRate(portable));
      oursPortable.push(await applyRate(portable, portableVerifier));
      ctx.log(
        `rep ${r + 1}/${reps}: node path ${ours[r]!.toFixed(0)} tx/s, ${oursCpu.toFixed(0)} CPU µs/tx ` +
          `(bare node:crypto verify ${bare[r]!.toFixed(0)}/s, ${bareCpu.toFixed(0)} CPU µs/sig), ` +
          `portable ${oursPortable[r]!.toFixed(0)} tx/s (bare noble verify ${bareNoble[r]!.toFixed(0)}/s)`,
      );
    }
    const figures: Figure[] = [
      {
        name: `verify+apply TRANSFERs, node:crypto path, block of ${fast.txs.length} (peer: bare node:crypto Ed25519 verify, 1 thread)`,
        unit: 'tx/s',
        higherIsBetter: true,
        samples: ours,
        peer: { name: 'node:crypto verify', samples: bare },
        goal: '>= 0.8x bare node:crypto verify and >= 10k tx/s',
        goalRatio: 0.8,
      },
      {
        name: `verify+apply TRANSFERs, portable path (@noble/ed25519), block of ${portable.txs.length} (peer: bare noble strict verify)`,
        unit: 'tx/s',
        higherIsBetter: true,
        samples: oursPortable,
        peer: { name: '@noble/ed25519 verify', samples: bareNoble },
        goal: '>= 0.8x bare noble verify',
        goalRatio: 0.8,
      },
    ];
    return figures;
  },
};

export default ledger;
