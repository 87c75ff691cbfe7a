import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type KeyPair, type LedgerNode, parseAlc, quorumReached } from '../src/index';
import { COORDINATOR, fundedNetwork, seal, testKey } from './testChain';

const rejects = async (p: Promise<unknown>): Promise<string | undefined> => {
  try {
    await p;
  } catch (err) {
    return (err as { code?: string }).code;
  }
  return undefined;
};

/** `count` active nodes; keys[0] pays keys[1]; the other count − 2 are the eligible voters. */
async function disputed(count: number) {
  const net = await fundedNetwork(count, { amount: parseAlc('10') });
  const { node, keys } = net;
  const [sender, recipient, ...voters] = keys as [KeyPair, KeyPair, ...KeyPair[]];
  const { block } = await seal(node, [
    node.sign(sender, { type: 'TRANSFER', to: recipient.address, amount: parseAlc('3') }),
  ]);
  return { ...net, sender, recipient, voters, id: block.transactions[0]!.id };
}
const report = (node: LedgerNode, key: KeyPair, id: string) =>
  node.submit(node.sign(key, { type: 'REPORT', reference: id }));
const refresh = (node: LedgerNode, keys: KeyPair[]) =>
  Promise.all(
    keys.map((k) => node.mint({ to: k.address, amount: 1n, reason: 'inference', reference: 'req' })),
  );

describe('reports, disputes and reversal (51% of active nodes)', () => {
  it('quorum is an exact integer rule: 100·votes ≥ 51·eligible', () => {
    expect(quorumReached(51, 100)).toBe(true);
    expect(quorumReached(50, 100)).toBe(false);
    expect(quorumReached(2, 3)).toBe(true);
    expect(quorumReached(1, 3)).toBe(false);
    expect(quorumReached(1, 1)).toBe(true);
    expect(quorumReached(0, 0)).toBe(false);
    fc.assert(
      fc.property(fc.nat(10_000), fc.nat(10_000), (votes, eligible) => {
        const exact = eligible > 0 && votes * 100 >= eligible * 51; // votes/eligible ≥ 0.51, no floats
        expect(quorumReached(votes, eligible)).toBe(exact);
      }),
    );
  });

  it('REPORTED → DISPUTED at 51% of eligible active nodes → REVERSED; funds go back to the sender', async () => {
    const { node, sender, recipient, voters, id } = await disputed(12); // 10 eligible → 6 needed
    for (let i = 0; i < 5; i++) await report(node, voters[i]!, id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('REPORTED');
    expect(await rejects(node.reverse(id))).toBe('QUORUM_NOT_MET');
    await report(node, voters[5]!, id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('DISPUTED');
    expect(await rejects(node.submit(node.sign(voters[6]!, { type: 'VERIFY', reference: id })))).toBe(
      'TRANSFER_DISPUTED',
    );

    await node.reverse(id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('REVERSED');
    expect(node.account(sender.address).balance).toBe(parseAlc('10') - parseAlc('0.01')); // the fee is not refunded
    expect(node.account(recipient.address)).toMatchObject({ balance: parseAlc('10'), locked: 0n });
    expect(await rejects(node.reverse(id))).toBe('ALREADY_REVERSED');
    expect(await rejects(report(node, voters[7]!, id))).toBe('ALREADY_REVERSED');
    expect((await node.verifyChain()).ok).toBe(true);
  });

  it('fresh identities and the parties themselves have no vote', async () => {
    const { node, sender, recipient, id } = await disputed(4);
    expect(await rejects(report(node, testKey(5000), id))).toBe('NOT_ACTIVE');
    expect(await rejects(report(node, sender, id))).toBe('NOT_ELIGIBLE');
    expect(await rejects(report(node, recipient, id))).toBe('NOT_ELIGIBLE');
  });

  it('sybils do not help: new identities must first earn a MINT to count, and then they also raise the bar', async () => {
    const { node, voters, id } = await disputed(6); // 4 eligible → 3 needed
    await report(node, voters[0]!, id);
    await report(node, voters[1]!, id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('REPORTED');
    // 6 new contributors join: 10 eligible, 2 reports
    const joined = Array.from({ length: 6 }, (_, i) => testKey(700 + i));
    await refresh(node, joined);
    await node.produceBlock();
    expect(await rejects(node.reverse(id))).toBe('QUORUM_NOT_MET');
    for (const k of joined.slice(0, 3)) await report(node, k, id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('REPORTED'); // 5 of 10 = 50% < 51%
    expect(await rejects(node.reverse(id))).toBe('QUORUM_NOT_MET');
    await report(node, joined[3]!, id);
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('DISPUTED'); // 6 of 10
  }, 20_000);

  it('the active set is evaluated at REVERSAL time: expiry can drop a dispute below quorum, or lift a report to it', async () => {
    // (a) DISPUTED, then most reporters go inactive while non-reporters stay active → no reversal
    const a = await disputed(12);
    for (let i = 0; i < 6; i++) await report(a.node, a.voters[i]!, a.id);
    await a.node.produceBlock();
    expect(a.node.transfer(a.id)!.status).toBe('DISPUTED');
    a.clock.advance(a.node.params.activeWindowMs / 2);
    await refresh(a.node, [...a.voters.slice(5)]); // 1 reporter + 4 non-reporters stay active
    await a.node.produceBlock();
    a.clock.advance(a.node.params.activeWindowMs / 2 + 1);
    await a.node.produceBlock();
    expect(a.node.activeNodes(a.clock.now)).toHaveLength(5);
    expect(await rejects(a.node.reverse(a.id))).toBe('QUORUM_NOT_MET');

    // (b) REPORTED by 3 of 10; 6 non-reporters go inactive → 3 of 4 ≥ 51% → reversal allowed
    const b = await disputed(12);
    for (let i = 0; i < 3; i++) await report(b.node, b.voters[i]!, b.id);
    await b.node.produceBlock();
    expect(b.node.transfer(b.id)!.status).toBe('REPORTED');
    b.clock.advance(b.node.params.activeWindowMs / 2);
    await refresh(b.node, b.voters.slice(0, 4));
    await b.node.produceBlock();
    b.clock.advance(b.node.params.activeWindowMs / 2 + 1);
    await b.node.produceBlock();
    await b.node.reverse(b.id);
    await b.node.produceBlock();
    expect(b.node.transfer(b.id)!.status).toBe('REVERSED');
    expect((await b.node.verifyChain()).ok).toBe(true);
  }, 20_000);

  it('a confirmed transfer is final: reports are recorded but cannot reverse it', async () => {
    const { node, voters, id } = await disputed(14);
    for (let i = 0; i < 10; i++) await node.submit(node.sign(voters[i]!, { type: 'VERIFY', reference: id }));
    await node.produceBlock();
    expect(node.transfer(id)!.status).toBe('CONFIRMED');
    for (let i = 0; i < 12; i++) await report(node, voters[i]!, id);
    await node.produceBlock();
    expect(node.transfer(id)).toMatchObject({ status: 'CONFIRMED' });
    expect(node.transfer(id)!.reporters).toHaveLength(12);
    expect(await rejects(node.reverse(id))).toBe('TRANSFER_FINAL');
  });

  it('mints are never reversible, and a REVERSAL must match the transfer and come from the coordinator', async () => {
    const { node, sender, voters, id } = await disputed(10);
    const mintId = (await node.getBlock(1))!.transactions[0]!.id;
    expect(await rejects(report(node, voters[0]!, mintId))).toBe('UNKNOWN_TRANSFER');
    expect(await rejects(node.reverse(mintId))).toBe('UNKNOWN_TRANSFER');
    expect(await rejects(node.reverse(id))).toBe('NOT_REPORTED');
    for (let i = 0; i < 6; i++) await report(node, voters[i]!, id);
    const wrongAmount = node.sign(COORDINATOR, {
      type: 'REVERSAL',
      to: sender.address,
      amount: parseAlc('2'),
      reference: id,
    });
    expect(await rejects(node.submit(wrongAmount))).toBe('REVERSAL_MISMATCH');
    const wrongTo = node.sign(COORDINATOR, {
      type: 'REVERSAL',
      to: voters[0]!.address,
      amount: parseAlc('3'),
      reference: id,
    });
    expect(await rejects(node.submit(wrongTo))).toBe('REVERSAL_MISMATCH');
    const byNode = node.sign(voters[7]!, {
      type: 'REVERSAL',
      to: sender.address,
      amount: parseAlc('3'),
      reference: id,
    });
    expect(await rejects(node.submit(byNode))).toBe('NOT_COORDINATOR');
  });
});
