import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type CoordinatorNode,
  createTinyModel,
  NODE_ROLE_FLAGS,
  RemotePipeline,
  startCoordinatorNode,
} from '@ailo/node';
import { evenSpans, StageChain } from '@ailo/pipeline';
import { createNodeBackend, loadModelDir } from '@ailo/pipeline/node';
import type { BenchModule, Figure } from '../types';

const CLI = join(import.meta.dirname, '../../../packages/node/src/cli.ts');
const REPO = join(import.meta.dirname, '../../..');
/** `ailo` from sources (run in the repository), or a prebuilt bundle (`AILO_BENCH_CLI=path/cli.mjs`, see `pnpm bench:bundle`) */
const cli = (): { args: string[]; cwd?: string } =>
  process.env.AILO_BENCH_CLI
    ? { args: [process.env.AILO_BENCH_CLI] }
    : { args: ['--import', 'tsx', '--conditions=source', CLI], cwd: REPO };
const PROMPT = 16;
const SESSIONS = 8;
const HOPS = 4;
/** decode steps per warm-up session (PROMPT + WARM_STEPS stays inside the model's 128 positions) */
const WARM_STEPS = 100;

/** Minimal pipeline surface both sides share: a session forward and close. */
interface Source {
  forward(session: string, ids: number[][], opts?: { pastLength?: number }): Promise<unknown>;
  close(session: string): Promise<void>;
}

/** `ailo worker` processes (from sources) serving the given spans for a coordinator. */
async function startWorkers(
  node: CoordinatorNode,
  spans: { start: number; end: number }[],
): Promise<ChildProcess[]> {
  const { args, cwd } = cli();
  const children = spans.map((s) =>
    spawn(
      process.execPath,
      [
        ...NODE_ROLE_FLAGS,
        ...args,
        'worker',
        '--coordinator',
        node.coordinator.url,
        '--layers',
        `${s.start}:${s.end}`,
        '--link',
        '0',
        '--threads',
        '1',
      ],
      {
        cwd,
        stdio: 'ignore',
      },
    ),
  );
  await node.coordinator.waitForCoverage(undefined, 120_000);
  await node.coordinator.waitForWorkers(spans.length, 120_000);
  return children;
}

/**
 * Times 1-token decode steps on several paths, interleaved: each path has its
 * own session (prefilled with PROMPT tokens), and step i runs once on every
 * path before step i + 1 runs on any, in a rotating order. Slow spells of a
 * shared machine then fall on all paths alike, and differences between paths
 * are read from the same minutes. Returns ms per step, one array per path.
 */
async function interleavedDecode(srcs: Source[], steps: number): Promise<number[][]> {
  const ids = srcs.map(() => `b-${Math.random()}`);
  for (let k = 0; k < srcs.length; k++) {
    await srcs[k]!.forward(ids[k]!, [Array.from({ length: PROMPT }, (_, i) => (i * 31) % 500)]);
  }
  const ms = srcs.map((): number[] => []);
  for (let i = 0; i < steps; i++) {
    for (let j = 0; j < srcs.length; j++) {
      const k = (i + j) % srcs.length;
      const t0 = performance.now();
      await srcs[k]!.forward(ids[k]!, [[(i * 7) % 500]], { pastLength: PROMPT + i });
      ms[k]!.push(performance.now() - t0);
    }
  }
  await Promise.all(srcs.map((s, k) => s.close(ids[k]!)));
  return ms;
}

const mean = (a: readonly number[]) => a.reduce((x, y) => x + y, 0) / a.length;
const quantile = (a: readonly number[], q: number) =>
  [...a].sort((x, y) => x - y)[Math.min(a.length - 1, Math.floor(a.length * q))]!;

/** Tokens/s of SESSIONS sessions decoding concurrently, `steps` tokens each. */
async function throughput(src: Source, steps: number): Promise<number> {
  const ids = Array.from({ length: SESSIONS }, (_, k) => `t-${k}-${Math.random()}`);
  await Promise.all(
    ids.map((id, k) => src.forward(id, [Array.from({ length: PROMPT }, (_, i) => (i * 13 + k) % 500)])),
  );
  const t0 = performance.now();
  await Promise.all(
    ids.map(async (id) => {
      for (let i = 0; i < steps; i++) await src.forward(id, [[(i * 11) % 500]], { pastLength: PROMPT + i });
    }),
  );
  const tps = (SESSIONS * steps) / ((performance.now() - t0) / 1000);
  await Promise.all(ids.map((id) => src.close(id)));
  return tps;
}

const bench: BenchModule = {
  name: 'network',
  description:
    'distributed decode over loopback: per-hop overhead of 4 worker processes vs an in-process 4-stage chain, and 8-session throughput 4-stage vs 1-stage',
  async run(ctx) {
    const reps = ctx.smoke ? 1 : 5;
    const steps = ctx.smoke ? 4 : 32;
    const warmSessions = ctx.smoke ? 1 : 15;
    const root = mkdtempSync(join(tmpdir(), 'ailo-bench-net-'));
    const modelDir = join(root, 'model');
    createTinyModel(modelDir, { layers: 4, hidden: 128, heads: 4, context: 128 }, 1);
    const model = loadModelDir(modelDir);
    const spans = evenSpans(4, HOPS);
    // one ONNX Runtime thread per stage on both sides: four worker processes share the cores
    const chain = await StageChain.create(
      model.config,
      model.weights,
      createNodeBackend('cpu', { threads: 1 }),
      {
        spans,
      },
    );
    const four = await startCoordinatorNode({
      dataDir: join(root, 'c4'),
      port: 0,
      models: [{ dir: modelDir }],
      maxSessions: 64,
    });
    const one = await startCoordinatorNode({
      dataDir: join(root, 'c1'),
      port: 0,
      models: [{ dir: modelDir }],
      maxSessions: 64,
    });
    const children = [
      ...(await startWorkers(four, spans)),
      ...(await startWorkers(one, [{ start: 0, end: 4 }])),
    ];
    try {
      // chained: steps pass worker to worker; relayed: the same workers, every hop through the coordinator
      const remote: RemotePipeline = four.coordinator.pipeline();
      const relayed = new RemotePipeline({
        registry: four.coordinator.workers,
        model: remote.model,
        gate: four.coordinator.gate,
      });
      const single: RemotePipeline = one.coordinator.pipeline();
      // one decode round, steps interleaved on the three paths: mean ms/token of [chained, relayed, in-process]
      const stepTimes: number[][] = [[], [], []];
      const round = async (n: number): Promise<[number, number, number]> => {
        const ms = await interleavedDecode([remote, relayed, chain], n);
        ms.forEach((a, k) => {
          stepTimes[k]!.push(...a);
        });
        return [mean(ms[0]!), mean(ms[1]!), mean(ms[2]!)];
      };
      await round(2);
      // fresh processes: V8 still runs most of the per-step code unoptimised
      const perHopFresh: number[] = [];
      for (let r = 0; r < reps; r++) {
        const [d, , l] = await round(steps);
        perHopFresh.push((d - l) / HOPS);
        ctx.log(`fresh workers: ${HOPS} chained ${d.toFixed(3)} ms/token, in-process chain ${l.toFixed(3)}`);
      }
      // steady state, as a serving node runs: both sides warmed by the same number of steps
      for (let w = 0; w < warmSessions; w++) {
        const [d, rl, l] = await round(WARM_STEPS);
        ctx.log(
          `warm-up ${w + 1}/${warmSessions}: per hop chained ${((d - l) / HOPS).toFixed(3)} ms, relayed ${((rl - l) / HOPS).toFixed(3)}`,
        );
      }
      stepTimes.forEach((a) => {
        a.length = 0;
      });
      const dist: number[] = [];
      const local: number[] = [];
      const perHop: number[] = [];
      const perHopRelay: number[] = [];
      const tight: number[] = [];
      const perHopTight: number[] = [];
      for (let r = 0; r < reps; r++) {
        const [d, rl, l] = await round(steps);
        local.push(l);
        dist.push(d);
        perHop.push((d - l) / HOPS);
        perHopRelay.push((rl - l) / HOPS);
        // the in-process chain alone, step after step: hot caches, no other process in between
        const [hot] = await interleavedDecode([chain], steps);
        tight.push(mean(hot!));
        perHopTight.push((d - tight[r]!) / HOPS);
        ctx.log(
          `decode: ${HOPS} workers chained ${d.toFixed(3)} ms/token, relayed ${rl.toFixed(3)}, in-process chain ${l.toFixed(3)} (alone: ${tight[r]!.toFixed(3)})`,
        );
      }
      for (const q of [0.1, 0.5, 0.9]) {
        const [c, r, l] = stepTimes.map((a) => quantile(a, q));
        ctx.log(
          `steady steps, p${q * 100}: chained ${c!.toFixed(3)} ms, relayed ${r!.toFixed(3)}, in-process ${l!.toFixed(3)}; per hop chained ${((c! - l!) / HOPS).toFixed(3)}`,
        );
      }
      if (remote.chainedSteps === 0) throw new Error('the workers did not chain steps');
      const t4: number[] = [];
      const t1: number[] = [];
      await throughput(remote, 2);
      await throughput(single, 2);
      for (let r = 0; r < reps; r++) {
        t1.push(await throughput(single, steps));
        t4.push(await throughput(remote, steps));
        ctx.log(
          `${SESSIONS} sessions: 4-stage ${t4[r]!.toFixed(1)} tok/s, 1-stage ${t1[r]!.toFixed(1)} tok/s`,
        );
      }
      const figures: Figure[] = [
        {
          name: `1-token decode through ${HOPS} worker processes on loopback (4-layer d128, vocab 50257), mean of ${steps} steps interleaved with the peer's`,
          unit: 'ms/token',
          higherIsBetter: false,
          samples: dist,
          peer: { name: `in-process ${HOPS}-stage StageChain, same spans`, samples: local },
        },
        {
          name: `time added per hop by the network path, steady state after ${warmSessions * WARM_STEPS} warm-up steps (chained worker to worker, logits back to the coordinator)`,
          unit: 'ms',
          higherIsBetter: false,
          samples: perHop,
          peer: { skipped: 'derived: (distributed − in-process) / hops, from the figure above' },
          goal: '< 0.5 ms per hop',
        },
        {
          name: 'same, against the in-process chain run alone step after step (hot caches; not interleaved)',
          unit: 'ms',
          higherIsBetter: false,
          samples: perHopTight,
          peer: { skipped: 'derived: (distributed − in-process alone) / hops' },
        },
        {
          name: `time added per hop by the network path, fresh worker processes (each worker's steps ~6 to ${6 + reps * (steps + 1) * 2})`,
          unit: 'ms',
          higherIsBetter: false,
          samples: perHopFresh,
          peer: { skipped: 'derived like the steady-state figure, measured before the warm-up' },
        },
        {
          name: 'time added per hop, chained worker to worker (peer: every hop relayed by the coordinator)',
          unit: 'ms',
          higherIsBetter: false,
          samples: perHop,
          peer: { name: 'relayed through the coordinator', samples: perHopRelay },
        },
        {
          name: `throughput, ${SESSIONS} concurrent sessions, ${HOPS} workers (one span each)`,
          unit: 'tok/s',
          higherIsBetter: true,
          samples: t4,
          peer: { name: '1 worker holding all layers, same coordinator path', samples: t1 },
          goal: '>= 0.8x peer',
          goalRatio: 0.8,
        },
      ];
      return figures;
    } finally {
      for (const c of children) c.kill('SIGTERM');
      await four.close();
      await one.close();
      await chain.dispose();
      rmSync(root, { recursive: true, force: true });
    }
  },
};

export default bench;
