import {
  buildTransaction,
  type ChainParams,
  decodeChainParams,
  generateKeyPair,
  LedgerNode,
  memoryStore,
  signTransaction,
} from '@ailo/ledger';
import type { Envelope } from '@ailo/protocol';
import { SYNC_LIMIT } from '../constants';
import { ConformanceError, expectThat, violation } from '../errors';
import type { ConformanceCase, ConformanceContext, ConformanceSuite } from '../types';
import { toHex } from '../vectors';
import { type ClientSession, withSession } from '../wire/clientSession';
import { expectErrorCode } from '../wire/expectError';

/** Asks for the chain parameters (`ledger.params`, node-extensions.md §3); `not_exposed` when unsupported. */
async function chainParams(s: ClientSession, ctx: ConformanceContext): Promise<ChainParams> {
  const r = await s.conn.request('ledger.params', {}, ctx.waitMs);
  if (r.t === 'error' && (r.body.code === 'unsupported' || r.body.code === 'unavailable'))
    throw new ConformanceError('not_exposed', 'the target serves no ledger (ledger.params is unsupported)');
  expectThat(r.t === 'ledger.params.data', `ledger.params answered with ${r.t}`);
  try {
    return decodeChainParams(r.body.params as Uint8Array);
  } catch (e) {
    throw violation(`ledger.params.data.params does not decode: ${(e as { code?: string }).code}`);
  }
}

async function sync(s: ClientSession, from: number, limit: number, waitMs: number): Promise<Envelope> {
  return s.conn.request('ledger.sync', { from, limit }, waitMs);
}

/**
 * Syncs the whole chain the way a follower does and applies every block to a
 * fresh local ledger, which checks each against spec/ledger.md §9 (decoding,
 * height and previous hash, coordinator signature, every transaction, the
 * conservation invariant, the state hash).
 */
async function followChain(
  s: ClientSession,
  ctx: ConformanceContext,
): Promise<{ node: LedgerNode; tipHash: string; tipHeight: number }> {
  const node = await LedgerNode.open({ store: memoryStore(), params: await chainParams(s, ctx) });
  for (;;) {
    const from = node.tip.height + 1;
    const r = await sync(s, from, SYNC_LIMIT, ctx.waitMs);
    expectThat(r.t === 'ledger.blocks', `ledger.sync answered with ${r.t}`, JSON.stringify(r.body.code));
    const { blocks, tipHeight, tipHash } = r.body as {
      blocks: Uint8Array[];
      tipHeight: number;
      tipHash: Uint8Array;
    };
    expectThat(r.body.from === from, `ledger.blocks.from is ${String(r.body.from)}, asked ${from}`);
    for (const b of blocks) {
      try {
        await node.applyBlock(b);
      } catch (e) {
        const err = e as { code?: string; shortMessage?: string; cause?: { code?: string } };
        throw violation(
          `block at local height ${node.tip.height + 1} is invalid: ${err.code}${err.cause?.code ? ` (${err.cause.code})` : ''}`,
          err.shortMessage,
        );
      }
    }
    if (node.tip.height >= tipHeight || blocks.length === 0) {
      expectThat(
        node.tip.height === tipHeight,
        `synced to height ${node.tip.height} but the target's tip is ${tipHeight}`,
      );
      return { node, tipHash: toHex(tipHash), tipHeight };
    }
  }
}

const cases: ConformanceCase[] = [
  {
    id: 'ledger.params',
    clause: 'node-extensions.md §3',
    title: 'ledger.params returns chain parameters that decode (ledger.md §9)',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        const p = await chainParams(s, ctx);
        expectThat(p.chainId.length > 0, 'empty chain id');
      }),
  },
  {
    id: 'ledger.sync-verify',
    clause: 'ledger.md §9',
    title: 'every synced block verifies locally, in order, and the local tip equals the announced tip',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        const { node, tipHash, tipHeight } = await followChain(s, ctx);
        try {
          if (tipHeight === 0) throw new ConformanceError('not_exposed', 'the target chain has no block yet');
          expectThat(node.tip.hash === tipHash, 'local tip hash differs from ledger.blocks.tipHash');
          const report = await node.verifyChain();
          expectThat(report.ok && report.height === tipHeight, `local replay stopped at ${report.height}`);
        } finally {
          await node.close();
        }
      }),
  },
  {
    id: 'ledger.sync-past-tip',
    clause: 'protocol.md §9.4',
    title: 'ledger.sync past the tip returns no blocks and the same tip',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        await chainParams(s, ctx);
        const a = await sync(s, 1, 1, ctx.waitMs);
        expectThat(a.t === 'ledger.blocks', `ledger.sync answered with ${a.t}`);
        const tip = a.body.tipHeight as number;
        const b = await sync(s, tip + 1, 16, ctx.waitMs);
        expectThat(b.t === 'ledger.blocks', `ledger.sync answered with ${b.t}`);
        expectThat((b.body.blocks as unknown[]).length === 0, 'blocks past the tip were returned');
        expectThat(b.body.tipHeight === tip, 'the tip moved without a new block');
        expectThat((a.body.blocks as unknown[]).length <= 1, 'more blocks than `limit` were returned');
      }),
  },
  {
    id: 'ledger.sync-bad-limit',
    clause: 'protocol.md §9.4',
    title: 'ledger.sync with limit 0 is bad_request',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        await chainParams(s, ctx);
        expectErrorCode(await sync(s, 1, 0, ctx.waitMs), ['bad_request'], 'ledger.sync limit 0');
      }),
  },
  {
    id: 'ledger.tx-accepted',
    clause: 'ledger.md §4',
    title: 'a valid REGISTER is acknowledged with its id = SHA-256 of its wire bytes',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        const { chainId } = await chainParams(s, ctx);
        const key = generateKeyPair();
        const username = `conf_${toHex(key.publicKey).slice(0, 12)}`;
        const stx = signTransaction(
          buildTransaction({ type: 'REGISTER', from: key.address, nonce: 1n, reference: username }),
          key,
          chainId,
        );
        const r = await s.conn.request('tx.submit', { tx: stx.bytes }, ctx.waitMs);
        expectThat(r.t === 'tx.ack', `tx.submit answered with ${r.t}`, JSON.stringify(r.body));
        expectThat(r.body.accepted === true, 'a valid transaction was not accepted');
        expectThat(toHex(r.body.txId as Uint8Array) === stx.id, 'tx.ack.txId is not the transaction id');
      }),
  },
  {
    id: 'ledger.tx-bad-signature',
    clause: 'ledger.md §5',
    title: 'a transaction whose signature does not verify is not accepted',
    run: (ctx) =>
      withSession(ctx, async (s) => {
        const { chainId } = await chainParams(s, ctx);
        const key = generateKeyPair();
        const stx = signTransaction(
          buildTransaction({
            type: 'REGISTER',
            from: key.address,
            nonce: 1n,
            reference: `bad_${toHex(key.publicKey).slice(0, 12)}`,
          }),
          key,
          chainId,
        );
        const tx = stx.bytes.slice();
        tx[tx.length - 40] = (tx[tx.length - 40] ?? 0) ^ 0x10;
        const r = await s.conn.request('tx.submit', { tx }, ctx.waitMs);
        if (r.t === 'tx.ack')
          expectThat(r.body.accepted === false, 'a badly signed transaction was accepted');
        else expectErrorCode(r, ['bad_request', 'bad_signature'], 'tx.submit with a bad signature');
      }),
  },
];

/** Ledger sync and local verification, transaction submission (ledger.md, protocol.md §9.4). Role coordinator. */
export function ledgerSuite(): ConformanceSuite {
  return { name: 'ledger', cases };
}
