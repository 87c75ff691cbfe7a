import {
  type Address,
  type Block,
  type ChainReport,
  createChainParams,
  type KeyPair,
  LedgerNode,
  memoryStore,
  type SignedTransaction,
} from '@ailo/ledger';
import { mintTransactions, type RewardMint } from '@ailo/poc';

/** The round's rewards on the chain, as a second node verified them. */
export interface MintedRewards {
  transactions: SignedTransaction[];
  block: Block;
  /** `verifyChain()` of a node that only applied the coordinator's block bytes */
  report: ChainReport;
  balanceOf(address: Address): bigint;
}

/**
 * Signs the settlement's MINTs with the coordinator key (`mintTransactions` from `@ailo/poc`),
 * queues them on the coordinator's ledger, seals one signed block, and has a second node —
 * a worker or a wallet — apply the block bytes and replay the chain from genesis.
 */
export async function mintOnLedger(
  mints: readonly RewardMint[],
  coordinator: KeyPair,
  chainId: string,
): Promise<MintedRewards> {
  const params = createChainParams({ chainId, coordinator: coordinator.address });
  const chain = await LedgerNode.open({ store: memoryStore(), params, blockSigner: coordinator });
  const transactions = mintTransactions(mints, {
    coordinator,
    chainId,
    firstNonce: chain.nextNonce(coordinator.address),
  });
  for (const r of await chain.submitMany(transactions)) if (!r.ok) throw r.error;
  const { block, bytes, rejected } = await chain.produceBlock();
  if (rejected.length > 0) throw rejected[0]!.error;

  const follower = await LedgerNode.open({ store: memoryStore(), params });
  await follower.applyBlock(bytes);
  const report = await follower.verifyChain();
  return { transactions, block, report, balanceOf: (a) => follower.account(a).balance };
}
