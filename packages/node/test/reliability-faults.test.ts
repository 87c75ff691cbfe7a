import { generate, generateAll } from '@ailo/pipeline';
import { afterEach, describe, expect, test } from 'vitest';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { NodeError } from '../src/errors';
import { type RunningWorker, startWorker } from '../src/worker/node/startWorker';
import { FaultProxy, type ProxyFaults } from './faultProxy';
import { fixtureModelDir, tempDir } from './fixtures';

// A coordinator in this process and workers on real sockets, each behind its own fault proxy.
const data = tempDir();
const dir = fixtureModelDir('gpt2', data);
const HOP_TIMEOUT_MS = 1500;
const PROMPTS = [[1, 2, 3], [0, 7, 2, 9, 4], [11]];

let c: Coordinator | undefined;
const workers: RunningWorker[] = [];
const proxies: FaultProxy[] = [];

/** Runs `step`, naming it if it outlives `ms` (a hang in teardown is a finding too). */
async function timed(name: string, step: () => Promise<unknown>, ms = 10_000): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const slow = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms);
  });
  try {
    await Promise.race([step(), slow]);
  } finally {
    clearTimeout(timer);
  }
}

afterEach(async () => {
  for (const p of proxies.splice(0)) await timed('closing a fault proxy', () => p.close());
  for (const w of workers.splice(0)) await timed('stopping a worker', () => w.stop());
  await timed('closing the coordinator', async () => c?.close());
  c = undefined;
});

interface Held {
  worker: RunningWorker;
  proxy: FaultProxy | undefined;
  id: string;
}

/** A coordinator and one worker per `spans` entry; `faults` (or `direct`) per worker. */
async function cluster(spans: { start: number; faults?: ProxyFaults | 'direct' }[]): Promise<Held[]> {
  c = (
    await startCoordinatorNode({
      dataDir: tempDir(),
      port: 0,
      models: [{ dir }],
      hopTimeoutMs: HOP_TIMEOUT_MS,
    })
  ).coordinator;
  const held: Held[] = [];
  for (const s of spans) {
    const proxy = s.faults === 'direct' ? undefined : await FaultProxy.start(c.url, s.faults ?? {});
    if (proxy) proxies.push(proxy);
    const worker = startWorker({
      coordinator: proxy?.url ?? c.url,
      layers: { start: s.start, end: s.start + 1 },
      reconnectBaseMs: 20,
      followLedger: false,
    });
    workers.push(worker);
    held.push({ worker, proxy, id: Buffer.from(worker.identity.publicKey).toString('hex') });
  }
  await until(() => c!.workers.list().filter((w) => w.state === 'ready').length === spans.length);
  return held;
}

async function until(pred: () => boolean, ms = 20_000): Promise<void> {
  const end = Date.now() + ms;
  while (!pred()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function greedy(prompt: number[], sessionId?: string): Promise<number[]> {
  const n = 16 - prompt.length;
  return (
    await generateAll(c!.pipeline(), prompt, {
      maxTokens: n,
      greedy: true,
      ...(sessionId ? { sessionId } : {}),
    })
  ).ids;
}

/** Greedy tokens of every prompt on a fault-free cluster, computed once. */
let expected: number[][] | undefined;
async function reference(): Promise<number[][]> {
  if (expected) return expected;
  const ref = await startCoordinatorNode({ dataDir: tempDir(), port: 0, models: [{ dir }] });
  const ws = [0, 1].map((start) =>
    startWorker({ coordinator: ref.coordinator.url, layers: { start, end: start + 1 }, followLedger: false }),
  );
  try {
    await ref.coordinator.waitForCoverage(undefined, 20_000);
    expected = [];
    for (const p of PROMPTS)
      expected.push(
        (await generateAll(ref.coordinator.pipeline(), p, { maxTokens: 16 - p.length, greedy: true })).ids,
      );
  } finally {
    for (const w of ws) await w.stop();
    await ref.close();
  }
  return expected;
}

/** Runs `prompt` token by token, calling `fault` after `after` tokens; returns every token. */
async function generateWithFault(prompt: number[], session: string, after: number, fault: () => void) {
  const it = generate(c!.pipeline(), prompt, {
    maxTokens: 16 - prompt.length,
    greedy: true,
    sessionId: session,
  });
  const got: number[] = [];
  for (;;) {
    if (got.length === after) fault();
    const r = await it.next();
    if (r.done) return got;
    got.push(r.value.id);
  }
}

describe('generation through a fault-injecting proxy', () => {
  test('delayed and duplicated frames in both directions: identical greedy tokens', async () => {
    const want = await reference();
    const noisy: ProxyFaults = {
      up: { delayMs: [0, 8], duplicate: 0.3 },
      down: { delayMs: [0, 8], duplicate: 0.3 },
    };
    const held = await cluster([
      { start: 0, faults: { ...noisy, seed: 7 } },
      { start: 1, faults: { ...noisy, seed: 8 } },
    ]);
    for (const [i, p] of PROMPTS.entries()) expect(await greedy(p)).toEqual(want[i]);
    for (const h of held) {
      expect(h.proxy!.stats.duplicated).toBeGreaterThan(5);
      expect(h.proxy!.stats.delayed).toBeGreaterThan(20);
    }
    expect((await c!.metrics.failovers.get()).values[0]?.value ?? 0).toBe(0);
  });

  test('reordered frames: identical tokens or a retryable error, and a retry gives identical tokens', async () => {
    // WebSocket over TCP never reorders one connection's frames; the pipeline sends `infer.open`
    // and the first `infer.forward` back to back, so a swap surfaces as a retryable error
    const want = await reference();
    const shuffled: ProxyFaults = { up: { reorder: 0.3 }, down: { reorder: 0.3 }, reorderHoldMs: 5 };
    const held = await cluster([
      { start: 0, faults: { ...shuffled, seed: 3 } },
      { start: 1, faults: { ...shuffled, seed: 4 } },
    ]);
    let retries = 0;
    for (const [i, p] of PROMPTS.entries()) {
      for (let attempt = 0; ; attempt++) {
        const got = await greedy(p).catch((e: unknown) => e);
        if (Array.isArray(got)) {
          expect(got).toEqual(want[i]);
          break;
        }
        expect(got).toBeInstanceOf(NodeError);
        expect((got as NodeError).retryable).toBe(true);
        expect(attempt).toBeLessThan(10);
        retries++;
        await c!.waitForCoverage(undefined, 20_000);
      }
    }
    expect(held.reduce((n, h) => n + h.proxy!.stats.reordered, 0)).toBeGreaterThan(5);
    expect(retries).toBeLessThan(PROMPTS.length * 10);
  });

  test('a link dropped mid-generation: the other holder takes over, tokens identical', async () => {
    const want = await reference();
    const held = await cluster([{ start: 0, faults: 'direct' }, { start: 1 }, { start: 1 }]);
    const session = 'drop-1';
    const got = await generateWithFault(PROMPTS[0]!, session, 4, () => {
      const victim = c!.pipeline().routeOf(session)![1]!.worker;
      held.find((h) => h.id === victim)!.proxy!.dropAll();
    });
    expect(got).toEqual(want[0]);
    expect((await c!.metrics.failovers.get()).values[0]?.value).toBe(1);
  });

  test('a frame cut in half: the connection ends, the step is re-routed, tokens identical', async () => {
    const want = await reference();
    const held = await cluster([{ start: 0, faults: 'direct' }, { start: 1 }, { start: 1 }]);
    const session = 'cut-1';
    const got = await generateWithFault(PROMPTS[1]!, session, 3, () => {
      const victim = c!.pipeline().routeOf(session)![1]!.worker;
      held.find((h) => h.id === victim)!.proxy!.set({ down: { cut: 1 } });
    });
    expect(got).toEqual(want[1]);
    expect(held.reduce((n, h) => n + (h.proxy?.stats.cut ?? 0), 0)).toBeGreaterThanOrEqual(1);
  });

  test('a silent link: the hop deadline fails it over within the deadline, never hangs', async () => {
    const want = await reference();
    const held = await cluster([{ start: 0, faults: 'direct' }, { start: 1 }, { start: 1 }]);
    const session = 'silent-1';
    let t0 = 0;
    const got = await generateWithFault(PROMPTS[2]!, session, 2, () => {
      const victim = c!.pipeline().routeOf(session)![1]!.worker;
      held.find((h) => h.id === victim)!.proxy!.set({ up: { blackhole: true }, down: { blackhole: true } });
      t0 = performance.now();
    });
    expect(got).toEqual(want[2]);
    expect(performance.now() - t0).toBeLessThan(HOP_TIMEOUT_MS + 5000);
  });

  test('no other holder: a clear retryable error, then the worker reconnects and serves the same tokens', async () => {
    const want = await reference();
    const held = await cluster([{ start: 0, faults: 'direct' }, { start: 1 }]);
    const e = await generateWithFault(PROMPTS[0]!, 'alone-1', 3, () => {
      held[1]!.proxy!.set({ up: { drop: 1 } });
    }).catch((x) => x);
    expect(e).toBeInstanceOf(NodeError);
    expect(e.retryable).toBe(true);
    expect(['layers_unavailable', 'worker_failed']).toContain(e.code);
    held[1]!.proxy!.set({});
    await c!.waitForCoverage(undefined, 20_000);
    expect(await greedy(PROMPTS[0]!)).toEqual(want[0]);
  });
});
