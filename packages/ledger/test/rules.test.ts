import { describe, expect, it } from 'vitest';
import {
  buildTransaction,
  formatAlc,
  joinSignature,
  MAX_SUPPLY,
  parseAlc,
  signBytes,
  TRANSFER_FEE,
  transactionSigningBytes,
} from '../src/index';
import { COORDINATOR, fundedNetwork, openTestNode, seal, signed, T0, TestClock, testKey } from './testChain';

const rejects = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

describe('transaction rules against state', () => {
  it('a MINT by anyone but the coordinator is refused', async () => {
    const { node, keys } = await fundedNetwork(1);
    const mallory = testKey(66);
    const own = signed(mallory, {
      type: 'MINT',
      to: keys[0]!.address,
      amount: 1n,
      reason: 'training',
      reference: 'r',
      nonce: 0n,
      timestamp: T0,
    });
    expect(await rejects(node.submit(own))).toBe('NOT_COORDINATOR');
  });

  it('a MINT claiming the coordinator but signed by another key is refused (forged signature)', async () => {
    const { node, keys } = await fundedNetwork(1);
    const mallory = testKey(66);
    const tx = buildTransaction({
      type: 'MINT',
      from: COORDINATOR.address,
      to: keys[0]!.address,
      amount: 1000n,
      reason: 'training',
      reference: 'r',
      nonce: 99n,
      timestamp: T0,
    });
    const sb = transactionSigningBytes(tx, 'ailo-test');
    const forged = joinSignature(sb, signBytes(sb, mallory.secretKey));
    expect(await rejects(node.submit(forged))).toBe('BAD_SIGNATURE');
    expect(node.mempoolSize).toBe(0);
  });

  it('spends only spendable funds: balance >= amount + fee, unconfirmed income excluded', async () => {
    const { node, keys } = await fundedNetwork(3, { amount: parseAlc('1') });
    const [a, b, c] = keys as [(typeof keys)[0], (typeof keys)[0], (typeof keys)[0]];
    // exactly the balance minus the fee passes
    await seal(node, [
      node.sign(a, { type: 'TRANSFER', to: b.address, amount: parseAlc('1') - TRANSFER_FEE }),
    ]);
    expect(node.account(a.address).balance).toBe(0n);
    // b now holds 1.99 ALC but only 1 ALC is spendable until the transfer is confirmed
    expect(node.account(b.address)).toMatchObject({
      balance: parseAlc('1.99'),
      locked: parseAlc('0.99'),
      spendable: parseAlc('1'),
    });
    expect(
      await rejects(node.submit(node.sign(b, { type: 'TRANSFER', to: c.address, amount: parseAlc('1') }))),
    ).toBe('INSUFFICIENT_FUNDS');
    await node.submit(node.sign(b, { type: 'TRANSFER', to: c.address, amount: parseAlc('0.99') }));
    // the mempool counts: a second spend of the same funds is refused before any block
    expect(await rejects(node.submit(node.sign(b, { type: 'TRANSFER', to: c.address, amount: 1n })))).toBe(
      'INSUFFICIENT_FUNDS',
    );
  });

  it('nonces strictly increase per account; replays are refused', async () => {
    const { node, keys } = await fundedNetwork(2);
    const [a, b] = keys as [(typeof keys)[0], (typeof keys)[0]];
    const t5 = signed(a, { type: 'TRANSFER', to: b.address, amount: 10n, nonce: 5n, timestamp: T0 });
    await seal(node, [t5]);
    expect(await rejects(node.submit(t5))).toBe('DUPLICATE_TRANSACTION');
    const again = signed(a, { type: 'TRANSFER', to: b.address, amount: 11n, nonce: 5n, timestamp: T0 });
    expect(await rejects(node.submit(again))).toBe('NONCE_NOT_INCREASING');
    const lower = signed(a, { type: 'TRANSFER', to: b.address, amount: 11n, nonce: 4n, timestamp: T0 });
    expect(await rejects(node.submit(lower))).toBe('NONCE_NOT_INCREASING');
    const gap = signed(a, { type: 'TRANSFER', to: b.address, amount: 11n, nonce: 9n, timestamp: T0 });
    await node.submit(gap);
    expect(await rejects(node.submit(gap))).toBe('DUPLICATE_TRANSACTION');
    expect(node.nextNonce(a.address)).toBe(10n);
  });

  it('a timestamp beyond the allowed skew is refused', async () => {
    const { node, keys, clock } = await fundedNetwork(2);
    const skew = node.params.maxFutureSkewMs;
    const at = (ms: number) =>
      signed(keys[0]!, {
        type: 'TRANSFER',
        to: keys[1]!.address,
        amount: 1n,
        nonce: BigInt(ms),
        timestamp: ms,
      });
    await node.submit(at(clock.now + skew));
    expect(await rejects(node.submit(at(clock.now + skew + 1)))).toBe('TIMESTAMP_IN_FUTURE');
  });

  it('REGISTER binds a unique username, once per address', async () => {
    const { node, keys } = await fundedNetwork(2);
    await seal(node, [node.sign(keys[0]!, { type: 'REGISTER', reference: 'alice_01' })]);
    expect(node.resolve('alice_01')).toBe(keys[0]!.address);
    expect(node.account('alice_01').username).toBe('alice_01');
    expect(await rejects(node.submit(node.sign(keys[1]!, { type: 'REGISTER', reference: 'alice_01' })))).toBe(
      'USERNAME_TAKEN',
    );
    expect(await rejects(node.submit(node.sign(keys[0]!, { type: 'REGISTER', reference: 'alice_02' })))).toBe(
      'ALREADY_REGISTERED',
    );
    expect(() => node.resolve('nobody_here')).toThrowError(
      expect.objectContaining({ code: 'UNKNOWN_ACCOUNT' }),
    );
    expect(() => node.resolve('Not A Name')).toThrowError(
      expect.objectContaining({ code: 'INVALID_ADDRESS' }),
    );
  });

  it('minting stops at the maximum supply', async () => {
    const node = await openTestNode();
    const to = testKey(5).address;
    await seal(node, [
      node.sign(COORDINATOR, {
        type: 'MINT',
        to,
        amount: MAX_SUPPLY,
        reason: 'inference',
        reference: 'req-1',
      }),
    ]);
    expect(await rejects(node.mint({ to, amount: 1n, reason: 'training', reference: 'r' }))).toBe(
      'SUPPLY_EXCEEDED',
    );
    expect(formatAlc(node.supply().minted)).toBe('10000000000');
  });

  it('a transaction signed for another chain is refused even when passed as an object', async () => {
    const { node, keys } = await fundedNetwork(2);
    const other = signed(
      keys[0]!,
      { type: 'TRANSFER', to: keys[1]!.address, amount: 1n, nonce: 1n, timestamp: T0 },
      'ailo-other',
    );
    expect(await rejects(node.submit(other))).toBe('WRONG_CHAIN');
  });

  it('submitMany reports each transaction separately and queues only valid ones', async () => {
    const { node, keys } = await fundedNetwork(2, { clock: new TestClock() });
    const ok = signed(keys[0]!, {
      type: 'TRANSFER',
      to: keys[1]!.address,
      amount: 1n,
      nonce: 1n,
      timestamp: T0,
    });
    const bad = Uint8Array.from(ok.bytes);
    bad[bad.length - 5]! ^= 1;
    const results = await node.submitMany([ok, bad, ok.bytes.slice(0, 3)]);
    expect(results.map((r) => (r.ok ? 'ok' : r.error.code))).toEqual([
      'ok',
      'BAD_SIGNATURE',
      'ENCODING_TRUNCATED',
    ]);
    expect(node.mempoolSize).toBe(1);
  });
});
