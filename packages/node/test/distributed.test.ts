import { generate, generateAll } from '@ailo/pipeline';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Coordinator } from '../src/coordinator/Coordinator';
import { startCoordinatorNode } from '../src/coordinator/startCoordinatorNode';
import { fixtureModelDir, tempDir } from './fixtures';
import { type CliProcess, killHopMidGeneration, spawnCli } from './processes';
import { runCli } from './runCli';

// One coordinator (in this process, real sockets) serving both fixtures; four
// worker processes per model, two per span, started with `ailo worker`.
const data = tempDir();
const dirs = { gpt2: fixtureModelDir('gpt2', data), qwen2: fixtureModelDir('qwen2', data) };
const ids = { gpt2: 'tiny-gpt2', qwen2: 'tiny-qwen2' };
let c: Coordinator;
const workers: { model: string; id: string; start: number; proc: CliProcess }[] = [];

beforeAll(async () => {
  c = (
    await startCoordinatorNode({
      dataDir: `${data}/coord`,
      port: 0,
      models: [{ dir: dirs.gpt2 }, { dir: dirs.qwen2 }],
    })
  ).coordinator;
  const specs = (['gpt2', 'qwen2'] as const).flatMap((m) =>
    [0, 0, 1, 1].map((start) => ({ model: ids[m], start })),
  );
  await Promise.all(
    specs.map(async ({ model, start }) => {
      const proc = await spawnCli([
        'worker',
        '--coordinator',
        c.url,
        '--layers',
        `${start}:${start + 1}`,
        '--model',
        model,
        '--json',
      ]);
      const ev = await proc.waitForJson<{ event: string; id: string }>((j) => j.event === 'serving', 60_000);
      workers.push({ model, id: ev.id, start, proc });
    }),
  );
  await c.waitForCoverage(ids.gpt2, 10_000);
  await c.waitForCoverage(ids.qwen2, 10_000);
}, 120_000);

afterAll(async () => {
  await Promise.all(workers.map((w) => w.proc.kill()));
  await c?.close();
});

async function localGreedy(dir: string, prompt: number[], n: number, stages = 1): Promise<number[]> {
  const out = await runCli([
    'generate',
    dir,
    '--ids',
    prompt.join(','),
    '--max-tokens',
    String(n),
    '--greedy',
    '--json',
    '--stages',
    String(stages),
  ]);
  return (JSON.parse(out.trim()) as { ids: number[] }).ids;
}

describe.each(['gpt2', 'qwen2'] as const)('%s fixture over 4 worker processes', (name) => {
  test('greedy generation equals single-process `ailo generate`', async () => {
    for (const prompt of [[1, 2, 3], [0, 7, 2, 9, 4], [11]]) {
      const n = 16 - prompt.length;
      const remote = await generateAll(c.pipeline(ids[name]), prompt, { maxTokens: n, greedy: true });
      expect(remote.ids).toHaveLength(n);
      expect(remote.ids).toEqual(await localGreedy(dirs[name], prompt, n));
      expect(remote.ids).toEqual(await localGreedy(dirs[name], prompt, n, 2));
    }
    // every chain had two hops, one per span, on this model's workers
    const mine = new Set(workers.filter((w) => w.model === ids[name]).map((w) => w.id));
    const served = c.workers.list().filter((w) => mine.has(w.id) && w.steps > 0);
    expect(new Set(served.map((w) => w.span!.start))).toEqual(new Set([0, 1]));
  });
});

test('a worker killed with SIGKILL mid-generation: the span is re-routed and the tokens are identical', async () => {
  const prompt = [3, 1, 4];
  const expected = await localGreedy(dirs.gpt2, prompt, 13);
  const failovers = (await c.metrics.failovers.get()).values[0]?.value ?? 0;
  const pipeline = c.pipeline(ids.gpt2);
  const session = 'failover-test';
  const it = generate(pipeline, prompt, { maxTokens: 13, greedy: true, sessionId: session });
  const { got, victim } = await killHopMidGeneration(it, () => pipeline.routeOf(session), workers, {
    before: 4,
    hop: 1,
  });
  expect(victim.start).toBe(1);
  expect(got).toEqual(expected);
  expect((await c.metrics.failovers.get()).values[0]?.value).toBe(failovers + 1);
  expect(c.workers.get(victim.id)).toBeUndefined();
});
