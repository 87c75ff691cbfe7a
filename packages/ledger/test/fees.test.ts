import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BPS_DENOMINATOR, parseAlc, splitFee, TRANSFER_FEE } from '../src/index';
import { fundedNetwork, OPERATOR, seal, testParams } from './testChain';

describe('fees and burn', () => {
  it('splitFee: burned = ⌊fee·bps/10000⌋, the operator gets the rest, nothing is lost', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 2n ** 64n }),
        fc.integer({ min: 0, max: BPS_DENOMINATOR }),
        (fee, bps) => {
          const { burned, operator } = splitFee(fee, bps);
          expect(burned + operator).toBe(fee);
          expect(burned).toBe((fee * BigInt(bps)) / 10_000n);
          expect(burned * 10_000n <= fee * BigInt(bps)).toBe(true);
          expect((burned + 1n) * 10_000n > fee * BigInt(bps)).toBe(true);
        },
      ),
    );
    expect(splitFee(3n, 5_000)).toEqual({ burned: 1n, operator: 2n }); // dust goes to the operator
    expect(splitFee(TRANSFER_FEE, 3_333)).toEqual({ burned: 333_300n, operator: 666_700n });
  });

  it.each([0, 1, 3_333, 5_000, 9_999, 10_000])(
    'a chain burning %i bps moves fees exactly and conserves supply',
    async (bps) => {
      const { node, keys } = await fundedNetwork(3, {
        params: testParams({ burnShareBps: bps }),
        amount: parseAlc('5'),
      });
      const transfers = 7;
      const txs = Array.from({ length: transfers }, (_, i) =>
        node.sign(keys[i % 2]!, {
          type: 'TRANSFER',
          to: keys[2]!.address,
          amount: parseAlc('0.1'),
          nonce: BigInt(i),
        }),
      );
      await seal(node, txs);
      const { burned, operator } = splitFee(TRANSFER_FEE, bps);
      expect(node.supply().burned).toBe(burned * BigInt(transfers));
      expect(node.account(OPERATOR.address).balance).toBe(operator * BigInt(transfers));
      const total = [...keys, OPERATOR].reduce((sum, k) => sum + node.account(k.address).balance, 0n);
      expect(total + node.supply().burned).toBe(node.supply().minted);
    },
  );
});
