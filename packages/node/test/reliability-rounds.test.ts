import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createIdentity, openClientPeer, type ProtocolError, tensor } from '@ailo/protocol';
import { describe, expect, test } from 'vitest';
import { WebSocket } from 'ws';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { brownTrainingBatches, brownValidationPool, genreGroups } from '../src/data/brownShards';
import { createTinyModel } from '../src/model/createTinyModel';
import { nodeRegistry } from '../src/wire/messages';
import { startWorker } from '../src/worker/node/startWorker';
import { FaultProxy } from './faultProxy';
import { tempDir } from './fixtures';
import { REPO, spawnCli } from './processes';

async function until(pred: () => boolean, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe('federated rounds under faults', () => {
  test('a trainer whose connection dies mid-upload and one forging another trainer key: the round completes without them, neither is paid, the first rejoins cleanly', async () => {
    const data = tempDir();
    createTinyModel(`${data}/tiny`, { layers: 2, hidden: 16, heads: 2, context: 32 }, 3);
    const node = await startCoordinatorNode({
      dataDir: `${data}/coord`,
      port: 0,
      models: [{ dir: `${data}/tiny` }],
      training: {
        chainId: 'ailo-test',
        validation: brownValidationPool(16, 8),
        settings: { batchSize: 2, seq: 16, maxSteps: 1, learningRate: 5e-3 },
        // one step of this tiny model gives both trainers near-parallel updates (cosine ≈ 0.99)
        poc: { copy: { maxCosine: 0.9999 } },
      },
    });
    // the update frame (≈ 3 MB of Δ) is cut in half on its way up; smaller frames pass
    const proxy = await FaultProxy.start(node.coordinator.url, { up: { cut: 1, cutMinBytes: 256 * 1024 } });
    const groups = genreGroups(2);
    const workers = groups.map((genres, i) =>
      startWorker({
        coordinator: i === 0 ? proxy.url : node.coordinator.url,
        layers: { start: i, end: i + 1 },
        reconnectBaseMs: 20,
        followLedger: false,
        training: { data: (_c, batchSize, seq) => brownTrainingBatches(genres, batchSize, seq, i) },
      }),
    );
    const [cutId, directId] = workers.map((w) => Buffer.from(w.identity.publicKey).toString('hex'));
    // a third trainer answers its task with an update claiming the direct trainer's key
    const forger = await openClientPeer(new WebSocket(node.coordinator.url) as never, {
      identity: createIdentity(),
      registry: nodeRegistry(),
      roles: ['trainer'],
    });
    const forged = new Promise<ProtocolError>((resolve) => {
      forger.handle('round.task', (task) => {
        forger
          .request('update.submit', {
            round: task.round,
            taskId: task.taskId,
            baseHash: task.baseHash,
            updateHash: new Uint8Array(32),
            samples: 2,
            nonce: new Uint8Array(16),
            pubkey: workers[1]!.identity.publicKey,
            sig: new Uint8Array(64),
            delta: { w: tensor('f32', [1], new Float32Array([0])) },
          })
          .catch((e: ProtocolError) => {
            resolve(e);
            void forger.close();
          });
      });
    });
    forger.handle('node.assign', () => ({}));
    await forger.request('node.join', { layers: { start: 0, end: 1 } });
    try {
      await until(() => node.rounds!.trainers().length === 3);
      const r = await node.rounds!.runRound();
      expect((await forged).code).toBe('unauthorized');
      expect(proxy.stats.cut).toBe(1);
      expect(r.status).toBe('aggregated');
      expect(r.accepted.map((a) => a.worker)).toEqual([directId]);
      expect(r.rejected).toHaveLength(2);
      expect(r.rejected.find((x) => x.worker === cutId)).toMatchObject({ reason: 'failed' });
      expect(r.rejected.find((x) => x.worker === forger.welcome!.peerId)).toMatchObject({ reason: 'failed' });
      expect(node.ledger!.node.account(workers[0]!.key.address).balance).toBe(0n);
      expect(r.minted).toBe(r.accepted[0]!.reward);
      expect((await node.ledger!.verify()).ok).toBe(true);
      const s = await node.ledger!.summary();
      expect(s.balances + s.burned).toBe(s.minted);
      // the link heals: the trainer is back and its next update counts
      proxy.set({});
      await until(() => node.rounds!.trainers().length === 2);
      const next = await node.rounds!.runRound();
      expect(next.accepted.map((a) => a.worker).sort(), JSON.stringify(next.rejected)).toEqual(
        [cutId, directId].sort(),
      );
      expect(node.ledger!.node.account(workers[0]!.key.address).balance).toBeGreaterThan(0n);
    } finally {
      for (const w of workers) await w.stop();
      await proxy.close();
      await node.close();
    }
  }, 90_000);
});

test('a worker process SIGKILLed mid-training: the round completes with the others, the ledger verifies', async () => {
  const data = tempDir();
  createTinyModel(`${data}/tiny`, { layers: 2, hidden: 16, heads: 2, context: 32 }, 3);
  const node = await startCoordinatorNode({
    dataDir: `${data}/coord`,
    port: 0,
    models: [{ dir: `${data}/tiny` }],
    training: {
      chainId: 'ailo-test',
      validation: brownValidationPool(16, 8),
      settings: { batchSize: 2, seq: 16, maxSteps: 4, learningRate: 5e-3 },
    },
  });
  const local = startWorker({
    coordinator: node.coordinator.url,
    layers: { start: 0, end: 1 },
    followLedger: false,
    training: { data: (_c, batchSize, seq) => brownTrainingBatches(['news'], batchSize, seq, 0) },
  });
  const proc = await spawnCli([
    'worker',
    '--coordinator',
    node.coordinator.url,
    '--layers',
    '1:2',
    '--corpus',
    'brown:fiction',
    '--json',
  ]);
  try {
    const serving = await proc.waitForJson<{ event: string; id: string }>(
      (j) => j.event === 'serving',
      60_000,
    );
    await until(() => node.rounds!.trainers().length === 2);
    const round = node.rounds!.runRound();
    // one optimizer step of four done: the process dies inside local training
    await proc.waitForJson<{ event: string; step: number }>((j) => j.event === 'train.step');
    proc.child.kill('SIGKILL');
    const r = await round;
    expect(r.accepted.map((a) => a.worker)).toEqual([Buffer.from(local.identity.publicKey).toString('hex')]);
    expect(r.rejected).toEqual([expect.objectContaining({ worker: serving.id, reason: 'failed' })]);
    expect(r.minted).toBe(r.accepted[0]!.reward);
    expect((await node.ledger!.verify()).ok).toBe(true);
    const s = await node.ledger!.summary();
    expect(s.balances + s.burned).toBe(s.minted);
  } finally {
    await proc.kill('SIGKILL');
    await local.stop();
    await node.close();
  }
}, 90_000);

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  events: Record<string, any>[];
  stderr: string;
}

/** Runs test/crashCoordinator.ts in a child process (see its header). */
function crashRun(dataDir: string, modelDir: string, ...action: string[]): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(
      process.execPath,
      [
        '--conditions=source',
        '--import',
        'tsx',
        join(import.meta.dirname, 'crashCoordinator.ts'),
        dataDir,
        modelDir,
        ...action,
      ],
      { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      out += d;
    });
    child.stderr.setEncoding('utf8').on('data', (d: string) => {
      stderr += d;
    });
    child.on('exit', (code, signal) =>
      resolve({
        code,
        signal,
        stderr,
        events: out
          .split('\n')
          .filter((l) => l.startsWith('{'))
          .map((l) => JSON.parse(l)),
      }),
    );
  });
}

const ev = (r: Run, name: string) => r.events.find((e) => e.event === name)!;

/** The invariants every restart must find. */
function expectSound(s: Record<string, any>): void {
  expect(s.verified).toBe(true);
  expect(BigInt(s.balances) + BigInt(s.burned)).toBe(BigInt(s.minted));
  expect(s.doubleMints).toBe(0);
  expect(s.pending).toBe(null);
}

describe('coordinator SIGKILL and restart', () => {
  test('killed during aggregation, after minting, and during block writes: each restart verifies, never mints twice, and redoes or completes the round', async () => {
    const data = tempDir();
    const [coord, model] = [`${data}/coord`, `${data}/tiny`];

    // 1. SIGKILL once round 0's updates are aggregated, before anything is saved
    const a = await crashRun(coord, model, 'kill-at-aggregate');
    expect(a.signal, a.stderr).toBe('SIGKILL');
    expect(ev(a, 'killed').where).toBe('aggregation of round 0');
    const v0 = ev(a, 'started').version;

    // 2. restart: round 0 is redone from the same model; SIGKILL after its MINTs reached the chain
    const b = await crashRun(coord, model, 'kill-after-mint');
    expect(b.signal, b.stderr).toBe('SIGKILL');
    const afterAggregate = ev(b, 'started');
    expectSound(afterAggregate);
    expect(afterAggregate).toMatchObject({ round: 0, height: 0, minted: '0', version: v0 });
    expect(ev(b, 'killed').where).toBe('after the MINTs of round 0');

    // 3. restart: round 0 is complete (new model, owed MINTs on the chain once); SIGKILL mid block writes
    const c = await crashRun(coord, model, 'kill-in-blocks', String(150 + Math.floor(Math.random() * 150)));
    expect(c.signal, c.stderr).toBe('SIGKILL');
    const afterMint = ev(c, 'started');
    expectSound(afterMint);
    expect(afterMint.round).toBe(1);
    expect(afterMint.version).not.toBe(v0);
    expect(BigInt(afterMint.minted)).toBeGreaterThan(0n);
    expect(ev(c, 'killed').where).toBe('block writes');
    const written = c.events.filter((e) => e.event === 'block').length;

    // 4. restart: the chain holds every block acknowledged before the kill, verifies, and a round runs
    const d = await crashRun(coord, model, 'check');
    expect(d.code, d.stderr).toBe(0);
    const afterBlocks = ev(d, 'started');
    expectSound(afterBlocks);
    expect(afterBlocks.height).toBeGreaterThanOrEqual(afterMint.height + written);
    expect(ev(d, 'round')).toMatchObject({ round: 1, status: 'aggregated' });
    const end = ev(d, 'after');
    expectSound(end);
    expect(end.round).toBe(2);
    expect(BigInt(end.minted)).toBe(BigInt(afterBlocks.minted) + BigInt(ev(d, 'round').minted));
  }, 120_000);
});
