import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Live bytes of this isolate: the JS heap plus memory held outside it by ArrayBuffers
 * (`external_memory`). Reading it costs about a microsecond, so it is taken around every case.
 */
export function liveBytes(): number {
  const s = getHeapStatistics() as ReturnType<typeof getHeapStatistics> & { external_memory?: number };
  return s.used_heap_size + (s.external_memory ?? 0);
}

let collect: (() => void) | undefined;

/**
 * Runs a full garbage collection, so that what {@link liveBytes} reports next is retained memory
 * only. The test runner starts workers without `--expose-gc`; the flag is turned on at run time
 * and the `gc` function picked up from a fresh context.
 */
export function collectGarbage(): void {
  if (collect === undefined) {
    const existing = (globalThis as { gc?: () => void }).gc;
    if (existing) collect = existing;
    else {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    }
  }
  collect();
}
