import { decodeBlock } from '@ailo/ledger';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { type CoordinatorNode, startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { brownTrainingBatches, brownValidationPool, genreGroups } from '../src/data/brownShards';
import { createTinyModel } from '../src/model/createTinyModel';
import type { RoundReport } from '../src/rounds/RoundReport';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { tempDir } from './fixtures';

// Four in-process workers (real WebSocket connections), each training on its
// own Brown genre group; the fourth scales its updates ×100.
const data = tempDir();
const modelDir = `${data}/tiny`;
createTinyModel(modelDir, { layers: 2, hidden: 16, heads: 2, context: 32 }, 3);
const SETTINGS = { batchSize: 4, seq: 32, maxSteps: 2, learningRate: 5e-3 };
const validation = brownValidationPool(32, 16);
let node: CoordinatorNode;
let workers: RunningWorker[];
let crash: 'before' | 'after' | undefined;

async function start(port = 0): Promise<CoordinatorNode> {
  return startCoordinatorNode({
    dataDir: `${data}/coord`,
    port,
    models: [{ dir: modelDir }],
    training: {
      chainId: 'ailo-test',
      validation,
      settings: SETTINGS,
      faults: {
        beforeMint: () => {
          if (crash === 'before') throw new Error('crash before mint');
        },
        afterMint: () => {
          if (crash === 'after') throw new Error('crash after mint');
        },
      },
    },
  });
}

async function until(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

beforeAll(async () => {
  node = await start();
  const groups = genreGroups(4);
  workers = groups.map((genres, i) =>
    startWorker({
      coordinator: node.coordinator.url,
      layers: { start: i % 2, end: (i % 2) + 1 },
      reconnectBaseMs: 20,
      training: {
        data: (_cfg, batchSize, seq) => brownTrainingBatches(genres, batchSize, seq, i),
        ...(i === 3
          ? {
              tamper: (d: Map<string, Float32Array>) => {
                for (const v of d.values()) for (let j = 0; j < v.length; j++) v[j]! *= 100;
              },
            }
          : {}),
      },
    }),
  );
  await until(() => node.rounds!.trainers().length === 4);
}, 60_000);

afterAll(async () => {
  for (const w of workers) await w.stop();
  await node.close();
});

async function mintsByKey(n: CoordinatorNode): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for await (const bytes of n.ledger!.node.blocksFrom(1)) {
    for (const t of decodeBlock(bytes, 'ailo-test').transactions) {
      if (t.tx.type !== 'MINT') continue;
      const k = `${t.tx.to} ${t.tx.reason} ${t.tx.reference}`;
      out.set(k, (out.get(k) ?? 0) + 1);
    }
  }
  return out;
}

describe('federated rounds with 4 workers', () => {
  const reports: RoundReport[] = [];

  test('a round: honest updates accepted and paid, the scaled update rejected and unpaid, the ledger verifies', async () => {
    const r = await node.rounds!.runRound();
    reports.push(r);
    expect(r.round).toBe(0);
    expect(r.status).toBe('aggregated');
    expect(r.clients).toBe(4);
    const cheat = workers[3]!.identity;
    const cheatId = Buffer.from(cheat.publicKey).toString('hex');
    expect(r.accepted.map((a) => a.worker).sort()).toEqual(
      workers
        .slice(0, 3)
        .map((w) => Buffer.from(w.identity.publicKey).toString('hex'))
        .sort(),
    );
    expect(r.rejected).toHaveLength(1);
    expect(r.rejected[0]!.worker).toBe(cheatId);
    expect(r.rejected[0]!.reason).toMatch(/norm_too_large|loss_increase|validation/);
    for (const a of r.accepted) expect(a.reward).toBeGreaterThan(0n);
    expect(r.minted).toBe(r.accepted.reduce((s, a) => s + a.reward, 0n));
    expect(r.validationLoss.after).toBeLessThan(r.validationLoss.before);

    const ledger = node.ledger!;
    expect(ledger.node.account(workers[3]!.key.address).balance).toBe(0n);
    for (const w of workers.slice(0, 3))
      expect(ledger.node.account(w.key.address).balance).toBeGreaterThan(0n);
    const report = await ledger.verify();
    expect(report.ok).toBe(true);
    const s = await ledger.summary();
    expect(s.balances + s.burned).toBe(s.minted);
    expect(s.minted).toBe(r.minted);
    // every worker keeps a verified copy of the chain that agrees with the coordinator
    for (const w of workers) await until(() => w.ledger!.height === ledger.height);
    for (const w of workers) expect(w.ledger!.stateHash).toBe(ledger.node.tip.stateHash);
    // the served model is the new global model, and workers serve it
    await node.coordinator.waitForCoverage(undefined, 20_000);
    expect(node.coordinator.model().version).toBe(r.version);
    expect(workers.every((w) => w.core.held?.version === r.version)).toBe(true);
  }, 120_000);

  test('validation loss keeps falling from round to round', async () => {
    const r = await node.rounds!.runRound();
    reports.push(r);
    expect(r.round).toBe(1);
    expect(r.validationLoss.before).toBeCloseTo(reports[0]!.validationLoss.after, 5);
    expect(r.validationLoss.after).toBeLessThan(r.validationLoss.before);
  }, 120_000);

  test('a transfer between two workers is verified by the others (VERIFY votes from their own ledger copies)', async () => {
    const ledger = node.ledger!;
    const [a, b, c] = workers;
    const tx = ledger.node.sign(a!.key, { type: 'TRANSFER', to: b!.key.address, amount: 1000n });
    await ledger.node.submit(tx);
    await ledger.flush();
    await until(() => c!.ledger!.votes > 0);
    // the vote reaches the coordinator's mempool, unless the periodic sealer has already put it in a block
    await until(
      () => ledger.node.mempoolSize > 0 || !!ledger.node.transfer(tx.id)?.verifiers.includes(c!.key.address),
    );
    await ledger.flush();
    const record = ledger.node.transfer(tx.id)!;
    expect(record.verifiers).toContain(c!.key.address);
    expect(record.verifiers).not.toContain(a!.key.address);
    expect(record.verifiers).not.toContain(b!.key.address);
    const s = await ledger.summary();
    expect(s.balances + s.burned).toBe(s.minted);
    expect(s.burned).toBeGreaterThan(0n);
  });

  test('a coordinator crash around minting: restart resumes the round counter and model, and never pays twice', async () => {
    const port = node.coordinator.port;
    for (const [when, round] of [
      ['after', 2],
      ['before', 3],
    ] as const) {
      crash = when;
      await expect(node.rounds!.runRound()).rejects.toThrow(`crash ${when} mint`);
      const owed = (await import('../src/coordinator/coordinatorState')).readCoordinatorState(
        `${data}/coord`,
      ).pending;
      expect(owed?.round).toBe(round);
      await node.close();
      crash = undefined;
      node = await start(port);
      expect(node.rounds!.round).toBe(round + 1);
      expect(node.coordinator.model().version).not.toBe(reports[reports.length - 1]!.version);
      const counts = await mintsByKey(node);
      expect([...counts.values()].every((n) => n === 1)).toBe(true);
      // the owed rewards of the interrupted round are on the chain exactly once
      expect(
        [...counts.keys()].some((k) => k.endsWith(`round/${round}/`) || k.includes(` round/${round}/`)),
      ).toBe(true);
      const s = await node.ledger!.summary();
      expect(s.balances + s.burned).toBe(s.minted);
      expect((await node.ledger!.verify()).ok).toBe(true);
      await until(() => node.rounds!.trainers().length === 4);
    }
  }, 240_000);
});
