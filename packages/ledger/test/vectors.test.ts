import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { hexToBytes } from '@noble/hashes/utils.js';
import { describe, expect, it } from 'vitest';
import { generateLedgerVectors } from '../scripts/gen-vectors';
import {
  createChainParams,
  decodeTransaction,
  keyPairFromSecretKey,
  LedgerNode,
  memoryStore,
  portableVerifier,
  transactionToJson,
  unitsFromJson,
  verifyTransaction,
} from '../src/index';
import { nodeVerifier } from '../src/node';

const dir = join(import.meta.dirname, '..', '..', '..', 'spec', 'vectors', 'ledger');
const read = (name: string): string => readFileSync(join(dir, name), 'utf8');
const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('golden vectors in spec/vectors/ledger', () => {
  it('match what scripts/gen-vectors.ts generates (no drift)', async () => {
    const generated = await generateLedgerVectors();
    for (const [name, content] of Object.entries(generated)) expect(read(name), name).toBe(content);
  });

  const txv = JSON.parse(read('transactions.json'));
  const validCases: Array<[string, any]> = txv.valid.map((v: { name: string }) => [v.name, v]);
  const invalidCases: Array<[string, any]> = txv.invalid.map((v: { name: string }) => [v.name, v]);

  it('keys: seed → public key → address', () => {
    for (const k of txv.keys) {
      const pair = keyPairFromSecretKey(hexToBytes(k.seed));
      expect(Buffer.from(pair.publicKey).toString('hex')).toBe(k.publicKey);
      expect(pair.address).toBe(k.address);
    }
  });

  it.each(validCases)('valid transaction: %s', (_name, v) => {
    const stx = decodeTransaction(hexToBytes(v.wire), txv.chainId);
    expect(stx.id).toBe(v.id);
    expect(Buffer.from(stx.signingBytes).toString('hex')).toBe(v.signingBytes);
    expect(transactionToJson(stx)).toEqual(v.tx);
    expect(() => verifyTransaction(stx, portableVerifier)).not.toThrow();
    expect(() => verifyTransaction(stx, nodeVerifier)).not.toThrow();
  });

  it.each(invalidCases)('invalid transaction: %s', (_name, v) => {
    const bytes = hexToBytes(v.wire);
    if (v.stage === 'decode') {
      expect(code(() => decodeTransaction(bytes, txv.chainId))).toBe(v.error);
    } else {
      const stx = decodeTransaction(bytes, txv.chainId);
      expect(code(() => verifyTransaction(stx, portableVerifier))).toBe(v.error);
      expect(code(() => verifyTransaction(stx, nodeVerifier))).toBe(v.error);
    }
  });

  it('the block sequence replays to the stated tips, balances, statuses and state hash; bad blocks are refused', async () => {
    const bv = JSON.parse(read('blocks.json'));
    const node = await LedgerNode.open({
      store: memoryStore(),
      params: createChainParams(bv.params),
      verifier: nodeVerifier,
      clock: () => Number.MAX_SAFE_INTEGER / 2,
    });
    expect(bv.tips.map((t: { height: number }) => t.height)).toEqual(
      bv.blocks.map((_b: string, i: number) => i + 1),
    );
    for (let i = 0; i < bv.blocks.length; i++) {
      const block = await node.applyBlock(hexToBytes(bv.blocks[i]));
      expect({ height: block.header.height, hash: block.hash, stateHash: node.tip.stateHash }).toEqual(
        bv.tips[i],
      );
    }
    expect(node.tip.stateHash).toBe(bv.final.stateHash);
    expect(node.supply()).toEqual({
      minted: unitsFromJson(bv.final.minted),
      burned: unitsFromJson(bv.final.burned),
    });
    for (const a of bv.final.balances) {
      const got = node.account(a.address);
      expect(got.username).toBe(a.username);
      expect(got.balance).toBe(unitsFromJson(a.balance));
      expect(got.locked).toBe(unitsFromJson(a.locked));
      expect(got.lastNonce).toBe(a.lastNonce === null ? null : unitsFromJson(a.lastNonce));
    }
    const statuses = new Set(bv.final.transfers.map((t: { status: string }) => t.status));
    expect([...statuses].sort()).toEqual(['CONFIRMED', 'PENDING', 'REVERSED']);
    for (const t of bv.final.transfers) {
      const rec = node.transfer(t.id)!;
      expect({
        status: rec.status,
        verifiers: rec.verifiers.length,
        reporters: rec.reporters.length,
      }).toEqual({
        status: t.status,
        verifiers: t.verifiers,
        reporters: t.reporters,
      });
    }
    for (const bad of bv.invalidBlocks) {
      const err = await node.applyBlock(hexToBytes(bad.wire)).then(
        () => undefined,
        (e: { code?: string; cause?: { code?: string } }) => e,
      );
      expect(err?.code, bad.name).toBe(bad.error);
      if (bad.cause) expect(err?.cause?.code, bad.name).toBe(bad.cause);
      expect(node.tip.stateHash).toBe(bv.final.stateHash);
    }
  });
});
