import { Bench } from 'tinybench';

/** Calls per tinybench iteration so that one iteration lasts about 1 ms (timer reads cost ~0.1 µs). */
function batchSize(fn: () => unknown): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < 1) {
    fn();
    n++;
  }
  return n;
}

/**
 * Mean wall-clock milliseconds per call of each task, measured by tinybench (warm-up included). One
 * call of this = one repetition of a figure. Each tinybench iteration runs a batch of calls and
 * reports the batch mean, so microsecond-scale tasks are not drowned in timer overhead. Tasks that
 * allocate heavily leave garbage whose collection lands on whatever runs next: measure them in
 * separate calls, peers first.
 */
export async function meanMs(
  tasks: Record<string, () => unknown>,
  timeMs: number,
): Promise<Record<string, number>> {
  const bench = new Bench({ time: timeMs, warmupTime: Math.min(100, timeMs / 2) });
  for (const [name, fn] of Object.entries(tasks)) {
    const calls = batchSize(fn);
    bench.add(name, () => {
      const t0 = performance.now();
      for (let i = 0; i < calls; i++) fn();
      const elapsed = performance.now() - t0;
      return { overriddenDuration: elapsed / calls, overriddenIterationCost: elapsed };
    });
  }
  await bench.run();
  const out: Record<string, number> = {};
  for (const task of bench.tasks) {
    const result = task.result as { state: string; latency?: { mean: number }; error?: unknown };
    if (result.state !== 'completed' || result.latency === undefined) {
      throw new Error(`bench task ${task.name} did not complete: ${String(result.error ?? result.state)}`);
    }
    out[task.name] = result.latency.mean;
  }
  return out;
}
