import {
  createChainParams,
  formatAlc,
  generateKeyPair,
  LedgerNode,
  memoryStore,
  parseAlc,
} from '@ailo/ledger';

// Identities: the coordinator signs MINTs and blocks; alice and bob are contributors.
const coordinator = generateKeyPair();
const alice = generateKeyPair();
const bob = generateKeyPair();
const params = createChainParams({ chainId: 'ailo-example', coordinator: coordinator.address });

// The coordinator's node queues transactions and seals them into signed blocks.
const chain = await LedgerNode.open({ store: memoryStore(), params, blockSigner: coordinator });
await chain.mint({ to: alice.address, amount: parseAlc('0.1'), reason: 'training', reference: 'round-1' });
await chain.mint({ to: bob.address, amount: parseAlc('0.05'), reason: 'inference', reference: 'request-7' });
const block1 = await chain.produceBlock();

// Alice pays bob 0.02 ALC (+ 0.01 ALC fee, half burned, half to the operator).
await chain.submit(chain.sign(alice, { type: 'TRANSFER', to: bob.address, amount: parseAlc('0.02') }));
const block2 = await chain.produceBlock();

// A worker (or a browser) applies the same blocks and checks everything locally.
const worker = await LedgerNode.open({ store: memoryStore(), params });
await worker.applyBlock(block1.bytes);
await worker.applyBlock(block2.bytes);

const report = await worker.verifyChain();
console.log(report.ok, report.height, worker.tip.stateHash === chain.tip.stateHash); // true 2 true
console.log(formatAlc(worker.account(alice.address).balance)); // 0.07
console.log(formatAlc(worker.account(bob.address).spendable)); // 0.05 (the 0.02 needs 10 verifications)
