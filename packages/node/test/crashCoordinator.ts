/**
 * A coordinator with training and two in-process trainers, run as a child
 * process by reliability-durability.test.ts so that it can be SIGKILLed at a
 * chosen point. Prints one JSON line per event on stdout.
 *
 *   crashCoordinator.ts <dataDir> <modelDir> <action>
 *
 * actions:
 * - `kill-at-update` / `kill-at-aggregate` / `kill-before-mint` / `kill-after-mint`:
 *   run a round, SIGKILL this process at the first judged update / right after the
 *   updates are aggregated / once the owed MINTs are saved / once they are on the chain;
 * - `kill-in-blocks <ms>`: write blocks (reward MINTs and transfers) in a loop
 *   and SIGKILL this process after `ms` ms, in the middle of a write;
 * - `check`: run one round, report the state, exit.
 *
 * Every action first reports the state restored from `dataDir` (`started`).
 */
import { decodeBlock } from '@ailo/ledger';
import { readCoordinatorState } from '../src/coordinator/coordinatorState';
import { type CoordinatorNode, startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { brownTrainingBatches, brownValidationPool, genreGroups } from '../src/data/brownShards';
import { createTinyModel } from '../src/model/createTinyModel';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';

const [dataDir, modelDir, action, arg] = process.argv.slice(2) as [string, string, string, string?];
const CHAIN = 'ailo-crash';

function out(event: string, fields: Record<string, unknown> = {}): void {
  process.stdout.write(
    `${JSON.stringify({ event, ...fields }, (_, v) => (typeof v === 'bigint' ? v.toString() : v))}\n`,
  );
}

function die(where: string): never {
  out('killed', { where });
  process.kill(process.pid, 'SIGKILL');
  throw new Error('unreachable');
}

async function until(pred: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Every MINT on the chain, counted by (to, reason, reference): a count above 1 is a double mint. */
async function mintCounts(node: CoordinatorNode): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for await (const bytes of node.ledger!.node.blocksFrom(1)) {
    for (const t of decodeBlock(bytes, CHAIN).transactions) {
      if (t.tx.type !== 'MINT') continue;
      const k = `${t.tx.to} ${t.tx.reason} ${t.tx.reference}`;
      counts[k] = (counts[k] ?? 0) + 1;
    }
  }
  return counts;
}

async function state(node: CoordinatorNode): Promise<Record<string, unknown>> {
  const s = await node.ledger!.summary();
  const counts = await mintCounts(node);
  return {
    round: node.rounds!.round,
    height: node.ledger!.height,
    verified: (await node.ledger!.verify()).ok,
    minted: s.minted,
    burned: s.burned,
    balances: s.balances,
    mints: Object.keys(counts).length,
    doubleMints: Object.values(counts).filter((n) => n > 1).length,
    pending: readCoordinatorState(dataDir).pending?.round ?? null,
    version: node.coordinator.model().version,
  };
}

async function main(): Promise<void> {
  createTinyModel(modelDir, { layers: 2, hidden: 16, heads: 2, context: 32 }, 3);
  const node = await startCoordinatorNode({
    dataDir,
    port: 0,
    models: [{ dir: modelDir }],
    training: {
      chainId: CHAIN,
      validation: brownValidationPool(16, 8),
      settings: { batchSize: 2, seq: 16, maxSteps: 1, learningRate: 5e-3 },
      faults: {
        beforeMint: (t) => {
          if (action === 'kill-before-mint') die(`before the MINTs of round ${t}`);
        },
        afterMint: (t) => {
          if (action === 'kill-after-mint') die(`after the MINTs of round ${t}`);
        },
      },
    },
  });
  out('started', await state(node));
  const groups = genreGroups(2);
  const workers: RunningWorker[] = groups.map((genres, i) =>
    startWorker({
      coordinator: node.coordinator.url,
      layers: { start: i, end: i + 1 },
      reconnectBaseMs: 20,
      followLedger: false,
      training: { data: (_c, batchSize, seq) => brownTrainingBatches(genres, batchSize, seq, i) },
    }),
  );
  await until(() => node.rounds!.trainers().length === 2);

  if (action.startsWith('kill-at-') || action.endsWith('-mint')) {
    await node.rounds!.runRound((p) => {
      if (action === 'kill-at-update' && p.type === 'update') die(`update of round ${p.round}`);
      if (action === 'kill-at-aggregate' && p.type === 'aggregated') die(`aggregation of round ${p.round}`);
    });
    throw new Error('the round finished without reaching the crash point');
  }

  if (action === 'kill-in-blocks') {
    const ledger = node.ledger!;
    const [a, b] = workers.map((w) => w.key);
    setTimeout(() => die('block writes'), Number(arg ?? 100));
    for (let i = 0; ; i++) {
      // inference rewards (MINTs, idempotent by reference) and transfers, one block each
      await ledger.issue(
        [{ to: a!.address, amount: 5_000_000n, reason: 'inference', reference: `crash-test/${i}` }],
        ledger.height + 1,
      );
      const [from, to] = i % 2 === 0 ? [a!, b!] : [b!, a!];
      if (ledger.node.account(from.address).balance > 2_000_000n) {
        await ledger.node.submit(ledger.node.sign(from, { type: 'TRANSFER', to: to.address, amount: 1000n }));
        await ledger.flush();
      }
      out('block', { height: ledger.height });
    }
  }

  if (action === 'check') {
    const report = await node.rounds!.runRound();
    out('round', {
      round: report.round,
      status: report.status,
      accepted: report.accepted.length,
      minted: report.minted,
    });
    out('after', await state(node));
    for (const w of workers) await w.stop();
    await node.close();
    return;
  }
  throw new Error(`unknown action ${action}`);
}

main().then(
  () => process.exit(0),
  (e) => {
    process.stderr.write(`${(e as Error).stack ?? e}\n`);
    process.exit(1);
  },
);
