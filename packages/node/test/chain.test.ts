import { generate, generateAll, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import { createIdentity, tensor } from '@ailo/protocol';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { RemotePipeline } from '../src/coordinator/RemotePipeline';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { createTinyModel } from '../src/model/createTinyModel';
import { runWorkerLoop } from '../src/worker/core/runWorkerLoop';
import { WorkerCore } from '../src/worker/core/WorkerCore';
import { httpSpanLoader } from '../src/worker/node/loadSpanOverHttp';
import { connectWs, type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { tempDir } from './fixtures';
import { type CliProcess, killHopMidGeneration, spawnCli } from './processes';

// Four worker processes, one layer each, accepting links (`--link 0`), plus a
// spare for layer 2: decode steps travel worker to worker (`chain.step`).
const data = tempDir();
const modelDir = `${data}/tiny4`;
createTinyModel(modelDir, { layers: 4, hidden: 32, heads: 2, context: 64 }, 11);
let c: Coordinator;
let local: StageChain;
const workers: { id: string; start: number; proc: CliProcess }[] = [];

beforeAll(async () => {
  c = (await startCoordinatorNode({ dataDir: `${data}/coord`, port: 0, models: [{ dir: modelDir }] }))
    .coordinator;
  await Promise.all(
    [0, 1, 2, 3, 2].map(async (start) => {
      const proc = await spawnCli([
        'worker',
        '--coordinator',
        c.url,
        '--layers',
        `${start}:${start + 1}`,
        '--link',
        '0',
        '--json',
      ]);
      const ev = await proc.waitForJson<{ event: string; id: string }>((j) => j.event === 'serving', 60_000);
      workers.push({ id: ev.id, start, proc });
    }),
  );
  await c.waitForCoverage(undefined, 10_000);
  const m = loadModelDir(modelDir);
  local = await StageChain.create(m.config, m.weights, createNodeBackend('cpu'));
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.proc.kill()));
  await c?.close();
  await local?.dispose();
});

test('chained steps: greedy generation equals the local model, and no step is relayed', async () => {
  const pipeline = c.pipeline();
  const before = { chained: pipeline.chainedSteps, relayed: pipeline.relayedSteps };
  for (const prompt of [[5, 1, 4], [9], [2, 7, 1, 8, 2, 8]]) {
    const n = 12;
    const remote = await generateAll(pipeline, prompt, { maxTokens: n, greedy: true, stopOnEos: false });
    const ref = await generateAll(local, prompt, { maxTokens: n, greedy: true, stopOnEos: false });
    expect(remote.ids).toEqual(ref.ids);
  }
  expect(pipeline.chainedSteps - before.chained).toBe(3 * 12);
  expect(pipeline.relayedSteps).toBe(before.relayed);
});

test('a prompt brings back the logits of its last position only, chained and relayed', async () => {
  const chained = c.pipeline();
  const relayed = new RemotePipeline({ registry: c.workers, model: chained.model, gate: c.gate });
  const V = chained.config.vocabSize;
  const prompt = [2, 7, 1, 8, 2, 8];
  const ref = await local.forward('last-ref', [prompt]);
  const want = (ref.data as Float32Array).subarray((prompt.length - 1) * V);
  for (const pipeline of [chained, relayed]) {
    const before = pipeline.logitsBytes;
    const last = await pipeline.forward('last-only', [prompt], { lastOnly: true });
    // every worker honoured logitsFrom: one row came over the wire, not six
    expect(pipeline.logitsBytes - before).toBe(V * 4);
    expect(last.shape).toEqual([1, 1, V]);
    const got = last.data as Float32Array;
    expect(Math.max(...got.map((x, i) => Math.abs(x - want[i]!)))).toBeLessThan(1e-4);
    await pipeline.close('last-only');
  }
  expect(chained.chainedSteps).toBeGreaterThan(0);
  expect(relayed.relayedSteps).toBe(1);
});

test('a prompt longer than one reply runs in pieces: every row, or the last row only', async () => {
  const V = local.config.vocabSize;
  // two rows of logits per reply: a 5-token prompt takes three pieces
  const pipeline = new RemotePipeline({
    registry: c.workers,
    model: c.pipeline().model,
    gate: c.gate,
    maxStepLogitsBytes: 2 * V * 4,
  });
  const prompt = [3, 1, 4, 1, 5];
  const ref = (await local.forward('pieces-ref', [prompt])).data as Float32Array;
  const diff = (a: Float32Array, b: Float32Array) =>
    a.reduce((m, x, i) => Math.max(m, Math.abs(x - b[i]!)), 0);
  const all = await pipeline.forward('pieces-all', [prompt]);
  expect(all.shape).toEqual([1, 5, V]);
  expect(diff(all.data as Float32Array, ref)).toBeLessThan(1e-4);
  const before = pipeline.logitsBytes;
  const last = await pipeline.forward('pieces-last', [prompt], { lastOnly: true });
  expect(pipeline.logitsBytes - before).toBe(3 * V * 4); // one row per piece
  expect(last.shape).toEqual([1, 1, V]);
  expect(diff(last.data as Float32Array, ref.subarray(4 * V))).toBeLessThan(1e-4);
  await pipeline.close('pieces-all');
  await pipeline.close('pieces-last');
});

test('a middle worker killed with SIGKILL mid-generation: its span moves to the spare, tokens identical', async () => {
  const prompt = [3, 1, 4, 1];
  const expected = (await generateAll(local, prompt, { maxTokens: 14, greedy: true, stopOnEos: false })).ids;
  const pipeline = c.pipeline();
  const failovers = (await c.metrics.failovers.get()).values[0]?.value ?? 0;
  const session = 'chain-failover';
  const it = generate(pipeline, prompt, {
    maxTokens: 14,
    greedy: true,
    stopOnEos: false,
    sessionId: session,
  });
  const { got, victim } = await killHopMidGeneration(it, () => pipeline.routeOf(session), workers, {
    before: 5,
    hop: 2,
  });
  expect(victim.start).toBe(2);
  expect(got).toEqual(expected);
  expect((await c.metrics.failovers.get()).values[0]?.value).toBe(failovers + 1);
  const spare = workers.find((w) => w.start === 2 && w !== victim)!;
  expect(pipeline.routeOf(session)).toBeUndefined(); // closed at the end
  expect(c.workers.get(spare.id)?.steps ?? 0).toBeGreaterThan(0);
});

test('a stranger on a worker link cannot feed a session: its steps are refused and change nothing', async () => {
  const prompt = [8, 6, 7];
  const expected = (await generateAll(local, prompt, { maxTokens: 8, greedy: true, stopOnEos: false })).ids;
  const pipeline = c.pipeline();
  const session = 'chain-stranger';
  const failovers = (await c.metrics.failovers.get()).values[0]?.value ?? 0;
  const relayed = pipeline.relayedSteps;
  const it = generate(pipeline, prompt, { maxTokens: 8, greedy: true, stopOnEos: false, sessionId: session });
  const got: number[] = [];
  for (let i = 0; i < 3; i++) {
    const r = await it.next();
    if (r.done) throw new Error('finished early');
    got.push(r.value.id);
  }
  const target = c.workers.get(pipeline.routeOf(session)![1]!.worker)!;
  const stranger = await connectWs(
    target.want!.link!,
    createIdentity(),
    { roles: ['worker'] },
    { serverId: target.id },
  );
  const hidden = new Float32Array(32).fill(1);
  await stranger.notify('chain.step', {
    session,
    step: 99,
    position: prompt.length + got.length - 1,
    input: tensor('f32', [1, 1, 32], hidden),
    next: [],
  });
  await new Promise((r) => setTimeout(r, 200));
  for (;;) {
    const r = await it.next();
    if (r.done) break;
    got.push(r.value.id);
  }
  await stranger.close();
  expect(got).toEqual(expected);
  // had the step been applied, the session's cache would have moved on and the next step
  // would have failed over or fallen back to relaying
  expect((await c.metrics.failovers.get()).values[0]?.value ?? 0).toBe(failovers);
  expect(pipeline.relayedSteps).toBe(relayed);
});

describe('a next worker its upstream cannot reach', () => {
  // layer 0 on a worker that accepts links; layer 1 on a worker announcing a link
  // address nobody listens on. The coordinator still reaches both.
  let c2: Coordinator;
  const ac = new AbortController();
  let first: RunningWorker;
  let loop: Promise<void>;

  beforeAll(async () => {
    c2 = (await startCoordinatorNode({ dataDir: `${data}/coord2`, port: 0, models: [{ dir: modelDir }] }))
      .coordinator;
    first = startWorker({ coordinator: c2.url, layers: { start: 0, end: 1 }, link: {} });
    const core = new WorkerCore({ backend: createNodeBackend('cpu'), loadSpan: httpSpanLoader() });
    const identity = createIdentity();
    loop = runWorkerLoop({
      core,
      join: { layers: { start: 1, end: 4 }, link: 'ws://127.0.0.1:9' },
      backends: ['cpu'],
      memoryBytes: 1e9,
      connect: (hello) => connectWs(c2.url, identity, hello),
      signal: ac.signal,
    });
    await c2.waitForCoverage(undefined, 20_000);
  }, 60_000);

  afterAll(async () => {
    ac.abort();
    await loop;
    await first.stop();
    await c2.close();
  });

  test('the session falls back to relaying, with the same tokens and no failover', async () => {
    const pipeline = c2.pipeline();
    const prompt = [4, 2];
    const remote = await generateAll(pipeline, prompt, { maxTokens: 6, greedy: true, stopOnEos: false });
    const ref = await generateAll(local, prompt, { maxTokens: 6, greedy: true, stopOnEos: false });
    expect(remote.ids).toEqual(ref.ids);
    expect(pipeline.relayedSteps).toBeGreaterThan(0);
    expect((await c2.metrics.failovers.get()).values[0]?.value ?? 0).toBe(0);
  });
});
