import { type KeyPair, type LedgerNode, parseAlc } from '../src/index';
import { fundedNetwork, type TestNodeOptions } from './testChain';

/**
 * A short chain that touches every transaction type and transfer status: mints, transfers,
 * a confirmed transfer, a reversed one, a pending one, a username. Returns the wire bytes of
 * every block, in order, and the coordinator node that produced them.
 */
export async function scenarioChain(
  o: TestNodeOptions = {},
): Promise<{ node: LedgerNode; blocks: Uint8Array[]; keys: KeyPair[] }> {
  const { node, keys, clock } = await fundedNetwork(14, { ...o, amount: parseAlc('25') });
  const [alice, bob, carol, ...voters] = keys as [KeyPair, KeyPair, KeyPair, ...KeyPair[]];
  const pay = (from: KeyPair, to: KeyPair, alc: string, memo = '') =>
    node.submit(node.sign(from, { type: 'TRANSFER', to: to.address, amount: parseAlc(alc), memo }));
  const vote = (type: 'VERIFY' | 'REPORT', who: KeyPair, id: string) =>
    node.submit(node.sign(who, { type, reference: id }));

  await node.submit(node.sign(alice, { type: 'REGISTER', reference: 'alice' }));
  const confirmed = await pay(alice, bob, '3', 'for GPU hours');
  const reversed = await pay(bob, carol, '2.5');
  const pending = await pay(carol, alice, '0.75', 'ünïcode ✓');
  clock.advance(1_000);
  await node.produceBlock();
  for (const v of voters.slice(0, 10)) await vote('VERIFY', v, confirmed.id);
  for (const v of voters.slice(0, 3)) await vote('VERIFY', v, pending.id);
  for (const v of voters.slice(2, 9)) await vote('REPORT', v, reversed.id);
  clock.advance(1_000);
  await node.produceBlock();
  await node.reverse(reversed.id);
  await node.mint({
    to: carol.address,
    amount: parseAlc('0.05'),
    reason: 'inference',
    reference: 'request-42',
  });
  await node.mint({ to: bob.address, amount: parseAlc('0.05'), reason: 'fast_bonus', reference: 'round-2' });
  clock.advance(1_000);
  await node.produceBlock();
  await pay(bob, carol, '1'); // bob spends the confirmed funds
  clock.advance(1_000);
  await node.produceBlock();
  const blocks: Uint8Array[] = [];
  for (let h = 1; h <= node.tip.height; h++) blocks.push((await node.getBlockBytes(h))!);
  return { node, blocks, keys };
}
