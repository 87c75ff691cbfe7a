import { statSync } from 'node:fs';
import { CONFIRMATIONS_REQUIRED, generateKeyPair, parseAlc, TRANSFER_FEE } from '@ailo/ledger';
import { readKeyFile } from '@ailo/ledger/node';
import { beforeAll, describe, expect, it } from 'vitest';
import type { BlockSource } from '../src/BlockSource';
import { runWallet, type WalletRun } from '../src/main';
import { Wallet } from '../src/Wallet';

let run: WalletRun;
let printed = '';

beforeAll(async () => {
  run = await runWallet({ write: (s) => void (printed += s) });
});

describe('examples/wallet', () => {
  it('saves the key encrypted with mode 0600, and only the passphrase opens it', async () => {
    expect(statSync(run.keyPath).mode & 0o777).toBe(0o600);
    expect((await readKeyFile(run.keyPath, { passphrase: 'correct horse battery staple' })).address).toBe(
      run.wallet.address,
    );
    await expect(readKeyFile(run.keyPath, { passphrase: 'wrong' })).rejects.toMatchObject({
      name: 'LedgerError',
    });
    expect(printed).toContain(`wallet ${run.wallet.address}\n`);
  });

  it('the wallet copy is the coordinator chain, verified locally from genesis', async () => {
    expect(run.report.ok).toBe(true);
    expect(run.report.height).toBe(run.coordinator.tip.height);
    expect(run.wallet.ledger.tip).toEqual(run.coordinator.tip);
    expect((await run.coordinator.verifyChain()).stateHash).toBe(run.report.stateHash);
    expect(printed).toContain('matches the coordinator');
  });

  it('a wallet refuses a tampered block and keeps its last good state', async () => {
    const fresh = await Wallet.open(generateKeyPair(), run.coordinator.params);
    const coordinator = run.coordinator;
    const tampered: BlockSource = {
      async *blocksFrom(from) {
        let first = true;
        for await (const bytes of coordinator.blocksFrom(from)) {
          const copy = Uint8Array.from(bytes);
          if (first) copy[copy.length - 1]! ^= 1; // one bit of the first block's last transaction
          first = false;
          yield copy;
        }
      },
    };
    await expect(fresh.sync(tampered)).rejects.toMatchObject({ name: 'LedgerError' });
    expect(fresh.height).toBe(0);
    expect(await fresh.sync(coordinator)).toBe(run.coordinator.tip.height);
    expect(fresh.ledger.tip.stateHash).toBe(run.coordinator.tip.stateHash);
  });

  it('watches the transfer go PENDING → CONFIRMED at the 10th verification', () => {
    const seen = run.confirmed.map((t) => [t.status, t.verifications]);
    expect(seen).toEqual([
      ['PENDING', 0],
      ['PENDING', 4],
      ['PENDING', 8],
      ['CONFIRMED', CONFIRMATIONS_REQUIRED],
    ]);
    expect(printed).toMatch(/height \d+: to bob CONFIRMED, 10\/10 verified/);
    expect(run.refused).toEqual({
      spendLocked: 'INSUFFICIENT_FUNDS',
      voteOnOwnTransfer: 'NOT_ELIGIBLE',
      voteWithoutContribution: 'NOT_ACTIVE',
    });
  });

  it('watches the reported transfer go REPORTED → DISPUTED → REVERSED, funds back minus the fee', () => {
    expect(run.reversed.map((t) => [t.status, t.reports])).toEqual([
      ['PENDING', 0],
      ['REPORTED', 4],
      ['DISPUTED', 7],
      ['REVERSED', 7],
    ]);
    // 1 ALC earned − (0.25 + fee) − fee of the reversed transfer (not refunded)
    expect(run.wallet.account().balance).toBe(parseAlc('1') - parseAlc('0.25') - 2n * TRANSFER_FEE);
    expect(run.wallet.account().spendable).toBe(run.wallet.account().balance);
    // Σ balances + burned = minted, on the wallet's own copy
    expect(run.report.minted).toBe(parseAlc('1') + 12n * parseAlc('0.05'));
    expect(run.report.burned).toBe(TRANSFER_FEE); // half of each of the two fees
  });
});
