import { stat } from 'node:fs/promises';
import { formatAlc, isLedgerError, LedgerError, LedgerNode } from '@ailo/ledger';
import { classicStore, installNodeCrypto, ledgerDir, nodeVerifier } from '@ailo/ledger/node';
import type { Command } from 'commander';

interface DataDirOptions {
  dataDir: string;
  json?: boolean;
}

/**
 * Opens the ledger of a node's data directory (`<data-dir>/ledger`, LevelDB) without creating one.
 * @throws {LedgerError} `STORE_EMPTY` when there is none
 */
export async function openLedgerAt(dataDir: string): Promise<LedgerNode> {
  const dir = ledgerDir(dataDir);
  const exists = await stat(dir).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (!exists) throw new LedgerError('STORE_EMPTY', `No ledger at ${dir}.`);
  installNodeCrypto();
  return LedgerNode.open({ store: classicStore(dir), verifier: nodeVerifier });
}

/** `ailo ledger verify|balance`: check and query the local ledger (@ailo/ledger). */
export function registerLedgerCommands(program: Command): void {
  const ledger = program.command('ledger').description('verify and query the local ledger');

  ledger
    .command('verify')
    .description('replay every block from genesis with all checks (exit code 1 when the chain is bad)')
    .requiredOption('--data-dir <dir>', 'node data directory (the ledger is in <dir>/ledger)')
    .option('--json', 'print {"height","stateHash","minted","burned","accounts","ok"}')
    .action(async (opts: DataDirOptions) => {
      let report: {
        height: number;
        stateHash: string;
        minted: string;
        burned: string;
        accounts: number;
        ok: boolean;
        error?: { code: string; message: string; height?: number };
      };
      try {
        const node = await openLedgerAt(opts.dataDir);
        try {
          const r = await node.verifyChain();
          report = {
            height: r.height,
            stateHash: r.stateHash,
            minted: r.minted.toString(),
            burned: r.burned.toString(),
            accounts: r.accounts,
            ok: r.ok,
            ...(r.error ? { error: r.error } : {}),
          };
        } finally {
          await node.close();
        }
      } catch (err) {
        // a store that cannot even be opened (corrupt, locked) is a failed verification too
        if (!isLedgerError(err) || !opts.json) throw err;
        report = {
          height: 0,
          stateHash: '',
          minted: '0',
          burned: '0',
          accounts: 0,
          ok: false,
          error: { code: err.code, message: err.shortMessage },
        };
      }
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(report)}\n`);
      } else {
        process.stdout.write(
          `${report.ok ? 'ok' : 'FAILED'}: height ${report.height}, ${report.accounts} accounts, ` +
            `minted ${formatAlc(BigInt(report.minted))} ALC, burned ${formatAlc(BigInt(report.burned))} ALC\n` +
            `state hash ${report.stateHash}\n` +
            (report.error
              ? `error at height ${report.error.height}: ${report.error.message} [${report.error.code}]\n`
              : ''),
        );
      }
      if (!report.ok) process.exitCode = 1;
    });

  ledger
    .command('balance <who>')
    .description('balance of an ailo1… address or a registered username')
    .requiredOption('--data-dir <dir>', 'node data directory (the ledger is in <dir>/ledger)')
    .option('--json', 'print JSON (amounts in base units as decimal strings)')
    .action(async (who: string, opts: DataDirOptions) => {
      const node = await openLedgerAt(opts.dataDir);
      try {
        const a = node.account(who);
        if (opts.json) {
          process.stdout.write(
            `${JSON.stringify({
              address: a.address,
              username: a.username,
              balance: a.balance.toString(),
              spendable: a.spendable.toString(),
              locked: a.locked.toString(),
              height: node.tip.height,
            })}\n`,
          );
        } else {
          process.stdout.write(
            `${a.address}${a.username ? ` (${a.username})` : ''}\n` +
              `balance ${formatAlc(a.balance)} ALC (spendable ${formatAlc(a.spendable)}, unconfirmed ${formatAlc(a.locked)}) at height ${node.tip.height}\n`,
          );
        }
      } finally {
        await node.close();
      }
    });
}
