/**
 * A wallet app on `@ailo/ledger`: create and save a key, follow and verify the chain, send
 * transfers, and watch them go PENDING → CONFIRMED (10 verifications) or
 * REPORTED → DISPUTED → REVERSED. The coordinator and the voting nodes run in this process.
 *
 *   npx tsx --conditions=source src/main.ts
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  type ChainReport,
  createChainParams,
  formatAlc,
  generateKeyPair,
  isLedgerError,
  LedgerNode,
  memoryStore,
  parseAlc,
} from '@ailo/ledger';
import { installNodeCrypto, nodeVerifier, readKeyFile, writeKeyFile } from '@ailo/ledger/node';
import { Voter } from './Voter';
import { type TransferView, Wallet } from './Wallet';

/** Nodes with a recent verified contribution: the ones whose votes count. */
export const ACTIVE_NODES = 12;

/** Everything {@link runWallet} saw. */
export interface WalletRun {
  wallet: Wallet;
  coordinator: LedgerNode;
  keyPath: string;
  /** the confirmed transfer and the reversed one, with every status the wallet saw after a sync */
  confirmed: TransferView[];
  reversed: TransferView[];
  /** error codes of the refused operations, by what was tried */
  refused: { spendLocked: string; voteOnOwnTransfer: string; voteWithoutContribution: string };
  /** the wallet's local replay of the whole chain at the end */
  report: ChainReport;
}

/** Options of {@link runWallet}. */
export interface WalletOptions {
  write?: (text: string) => void;
}

/** Runs the wallet story and prints it. */
export async function runWallet(opts: WalletOptions = {}): Promise<WalletRun> {
  const write = opts.write ?? ((s: string) => void process.stdout.write(s));
  installNodeCrypto(); // node:crypto SHA-256 for ledger hashes (checked against the portable one)

  // 1. A key, saved encrypted (scrypt + AES-256-GCM, mode 0600), and read back as the app would.
  const keyPath = join(mkdtempSync(join(tmpdir(), 'ailo-wallet-')), 'wallet.key.json');
  const passphrase = 'correct horse battery staple';
  await writeKeyFile(keyPath, generateKeyPair(), { passphrase });
  const key = await readKeyFile(keyPath, { passphrase });
  write(`wallet ${key.address}\n  key file ${keyPath}\n`);

  // 2. The network, in-process: a coordinator that orders transactions into signed blocks, and
  //    12 nodes that earned a reward recently (so they may vote). The wallet earned 1 ALC.
  const coordinatorKey = generateKeyPair();
  const params = createChainParams({ chainId: 'ailo-wallet-example', coordinator: coordinatorKey.address });
  const coordinator = await LedgerNode.open({ store: memoryStore(), params, blockSigner: coordinatorKey });
  const voters = Array.from(
    { length: ACTIVE_NODES },
    (_, i) => new Voter(`node-${i + 1}`, generateKeyPair(), params.chainId),
  );
  await coordinator.mint({
    to: key.address,
    amount: parseAlc('1'),
    reason: 'training',
    reference: 'round/0/wallet',
  });
  for (const [i, v] of voters.entries()) {
    await coordinator.mint({
      to: v.key.address,
      amount: parseAlc('0.05'),
      reason: 'inference',
      reference: `infer/${i}`,
    });
  }
  await coordinator.produceBlock();

  // 3. The wallet follows the chain: every block is checked before it is applied.
  const wallet = await Wallet.open(key, params, memoryStore(), nodeVerifier);
  const applied = await wallet.sync(coordinator);
  const synced = await wallet.verify();
  write(
    `synced ${applied} block(s); local replay ok=${synced.ok}, state hash ${synced.stateHash.slice(0, 16)}… ` +
      `${synced.stateHash === coordinator.tip.stateHash ? 'matches' : 'DIFFERS FROM'} the coordinator's\n`,
  );
  write(`balance ${formatAlc(wallet.account().balance)} ALC\n\n`);

  const seal = async () => {
    await coordinator.produceBlock();
    await wallet.sync(coordinator);
  };
  const watch = (id: string, label: string, seen: TransferView[]) => {
    const t = wallet.transfer(id)!;
    seen.push(t);
    write(
      `  height ${wallet.height}: ${label} ${t.status}, ${t.verifications}/10 verified, ${t.reports} reports\n`,
    );
  };
  const refusal = async (what: string, attempt: Promise<unknown>): Promise<string> => {
    try {
      await attempt;
    } catch (err) {
      if (!isLedgerError(err)) throw err;
      write(`  refused: ${what} → ${err.code}\n`);
      return err.code;
    }
    throw new Error(`${what} was accepted`);
  };

  // 4. Send 0.25 ALC to bob; watch it confirm with 10 VERIFY votes from distinct active nodes.
  const bob = await Wallet.open(generateKeyPair(), params);
  const confirmed: TransferView[] = [];
  write(`send 0.25 ALC to bob (fee ${formatAlc(parseAlc('0.01'))} ALC)\n`);
  const paid = await wallet.send(coordinator, bob.address, parseAlc('0.25'), 'thanks for the GPU time');
  await seal();
  watch(paid, 'to bob', confirmed);
  await bob.sync(coordinator);
  const spendLocked = await refusal(
    'bob spends it before it is confirmed',
    bob.send(coordinator, key.address, parseAlc('0.1')),
  );
  const voteOnOwnTransfer = await refusal(
    'the wallet verifies its own transfer',
    coordinator.submit(wallet.ledger.sign(key, { type: 'VERIFY', reference: paid }).bytes),
  );
  const voteWithoutContribution = await refusal(
    'a fresh identity verifies it',
    coordinator.submit(new Voter('newcomer', generateKeyPair(), params.chainId).vote('VERIFY', paid)),
  );
  for (let i = 0; i < 10; i++) {
    await coordinator.submit(voters[i]!.vote('VERIFY', paid));
    if (i % 4 === 3 || i === 9) {
      await seal(); // 4 votes per block
      watch(paid, 'to bob', confirmed);
    }
  }
  await bob.sync(coordinator);
  write(
    `  bob: balance ${formatAlc(bob.account().balance)} ALC, spendable ${formatAlc(bob.account().spendable)} ALC\n\n`,
  );

  // 5. Send 0.1 ALC to a scammer; 7 of the 12 eligible nodes (≥ 51%) report it, the coordinator reverses it.
  const mallory = generateKeyPair();
  const reversed: TransferView[] = [];
  write('send 0.1 ALC to mallory\n');
  const scammed = await wallet.send(coordinator, mallory.address, parseAlc('0.1'), 'invoice 42');
  await seal();
  watch(scammed, 'to mallory', reversed);
  for (let i = 0; i < 7; i++) {
    await coordinator.submit(voters[i]!.vote('REPORT', scammed));
    if (i === 3 || i === 6) {
      await seal();
      watch(scammed, 'to mallory', reversed);
    }
  }
  await coordinator.reverse(scammed);
  await seal();
  watch(scammed, 'to mallory', reversed);

  // 6. The whole chain, replayed from genesis by the wallet.
  const report = await wallet.verify();
  write(
    `\nwallet: balance ${formatAlc(wallet.account().balance)} ALC; chain height ${report.height}, ` +
      `ok=${report.ok}, minted ${formatAlc(report.minted)} ALC, burned ${formatAlc(report.burned)} ALC\n`,
  );
  return {
    wallet,
    coordinator,
    keyPath,
    confirmed,
    reversed,
    refused: { spendLocked, voteOnOwnTransfer, voteWithoutContribution },
    report,
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await runWallet();
}
