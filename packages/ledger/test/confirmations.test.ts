import { describe, expect, it } from 'vitest';
import { CONFIRMATIONS_REQUIRED, type KeyPair, type LedgerNode, parseAlc } from '../src/index';
import { fundedNetwork, openTestNode, seal, testKey } from './testChain';

const rejects = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

async function network(): Promise<{
  node: LedgerNode;
  sender: KeyPair;
  recipient: KeyPair;
  voters: KeyPair[];
  id: string;
}> {
  const { node, keys } = await fundedNetwork(14, { amount: parseAlc('10') });
  const [sender, recipient, ...voters] = keys as [KeyPair, KeyPair, ...KeyPair[]];
  const { block } = await seal(node, [
    node.sign(sender, { type: 'TRANSFER', to: recipient.address, amount: parseAlc('4') }),
  ]);
  return { node, sender, recipient, voters, id: block.transactions[0]!.id };
}

const verify = (node: LedgerNode, key: KeyPair, id: string) =>
  node.submit(node.sign(key, { type: 'VERIFY', reference: id }));

describe('confirmations (10 distinct VERIFY votes)', () => {
  it('a transfer becomes spendable at exactly the 10th distinct vote; the 11th is refused', async () => {
    const { node, recipient, voters, id } = await network();
    for (let i = 0; i < CONFIRMATIONS_REQUIRED - 1; i++) await verify(node, voters[i]!, id);
    await node.produceBlock();
    expect(node.transfer(id)).toMatchObject({ status: 'PENDING' });
    expect(node.transfer(id)!.verifiers).toHaveLength(9);
    expect(node.account(recipient.address)).toMatchObject({
      locked: parseAlc('4'),
      spendable: parseAlc('10'),
    });

    await verify(node, voters[9]!, id);
    await node.produceBlock();
    expect(node.transfer(id)).toMatchObject({ status: 'CONFIRMED' });
    expect(node.account(recipient.address)).toMatchObject({ locked: 0n, spendable: parseAlc('14') });

    expect(await rejects(verify(node, voters[10]!, id))).toBe('ALREADY_CONFIRMED');
    expect(node.transfer(id)!.verifiers).toHaveLength(CONFIRMATIONS_REQUIRED);
  });

  it('neither the sender nor the recipient can vote', async () => {
    const { node, sender, recipient, id } = await network();
    expect(await rejects(verify(node, sender, id))).toBe('NOT_ELIGIBLE');
    expect(await rejects(verify(node, recipient, id))).toBe('NOT_ELIGIBLE');
  });

  it('one vote per node: a second VERIFY from the same node is refused, in the mempool and in a later block', async () => {
    const { node, voters, id } = await network();
    await verify(node, voters[0]!, id);
    expect(await rejects(verify(node, voters[0]!, id))).toBe('ALREADY_VOTED');
    await node.produceBlock();
    expect(await rejects(verify(node, voters[0]!, id))).toBe('ALREADY_VOTED');
    expect(node.transfer(id)!.verifiers).toEqual([voters[0]!.address]);
  });

  it('nodes without a recent verified contribution have no vote', async () => {
    const { node, voters, id } = await network();
    expect(await rejects(verify(node, testKey(999), id))).toBe('NOT_ACTIVE');
    // once the window has passed, a former contributor is inactive too
    const { node: late, keys, clock } = await fundedNetwork(3);
    const { block } = await seal(late, [
      late.sign(keys[0]!, { type: 'TRANSFER', to: keys[1]!.address, amount: 1n }),
    ]);
    clock.advance(late.params.activeWindowMs + 1);
    expect(await rejects(verify(late, keys[2]!, block.transactions[0]!.id))).toBe('NOT_ACTIVE');
    expect(voters.length).toBeGreaterThan(0);
  });

  it('only transfers can be verified: mints and unknown ids are refused', async () => {
    const { node, voters } = await network();
    const mintId = (await node.getBlock(1))!.transactions[0]!.id;
    expect(await rejects(verify(node, voters[0]!, mintId))).toBe('UNKNOWN_TRANSFER');
    expect(await rejects(verify(node, voters[0]!, 'ab'.repeat(32)))).toBe('UNKNOWN_TRANSFER');
  });

  it('votes arriving in one block count like votes across blocks, and a syncing node agrees', async () => {
    const { node, voters, id } = await network();
    const worker = await openTestNode({ producer: false });
    for (let h = 1; h <= node.tip.height; h++) await worker.applyBlock((await node.getBlockBytes(h))!);
    const votes = voters.slice(0, 11).map((v) => node.sign(v, { type: 'VERIFY', reference: id }));
    const results = await node.submitMany(votes);
    // the 11th vote is refused already at submission, against the mempool state
    expect(results.map((r) => r.ok)).toEqual([...Array(10).fill(true), false]);
    const { bytes } = await node.produceBlock();
    await worker.applyBlock(bytes);
    expect(worker.transfer(id)).toEqual(node.transfer(id));
    expect(worker.tip.stateHash).toBe(node.tip.stateHash);
  });
});
