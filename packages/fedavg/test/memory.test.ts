import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import type { Aggregator } from '../src/Aggregator';
import { BufferedAggregator } from '../src/BufferedAggregator';
import { StreamingAggregator } from '../src/StreamingAggregator';
import type { ClientUpdate } from '../src/types';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** JS heap + memory outside it (ArrayBuffers and WebAssembly memories). bytes */
function used(): number {
  gc();
  gc();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
}

const N = 2_000_000; // parameters → 8 MB per update
const MODEL_BYTES = N * 4;
const schema = new Map<string, number[]>([
  ['big', [1000, 1999]],
  ['small', [1000]],
]);

/** A fresh update each time, dropped after `add`: nothing keeps it alive but the aggregator. */
function freshUpdate(k: number): ClientUpdate {
  const big = new Float32Array(1000 * 1999);
  for (let i = 0; i < big.length; i += 97) big[i] = ((i + k) % 13) - 6;
  return {
    numSamples: 1 + k,
    delta: new Map([
      ['big', big],
      ['small', new Float32Array(1000).fill(k)],
    ]),
  };
}

function growthOver50(agg: Aggregator): number {
  const before = used();
  for (let k = 0; k < 50; k++) agg.add(freshUpdate(k));
  return used() - before;
}

describe('memory', () => {
  for (const precision of ['f32', 'f64'] as const) {
    it(`streaming FedAvg (${precision}) folds 50 updates in O(model) memory`, () => {
      const before = used();
      const agg = new StreamingAggregator(schema, { precision });
      const accumulator = used() - before;
      // the accumulator itself: 4 or 8 bytes per parameter, double-buffered (plus a 32 KiB scratch block)
      const expected = 2 * MODEL_BYTES * (precision === 'f64' ? 2 : 1);
      expect(accumulator).toBeGreaterThan(0.95 * expected);
      expect(accumulator).toBeLessThan(1.05 * expected);
      const growth = growthOver50(agg);
      // 50 buffered updates would be 400 MB. The slack of two updates covers the last
      // update, which V8 may keep alive until the next collection after `add` returns.
      expect(growth).toBeLessThan(2 * MODEL_BYTES);
      expect(agg.finish().clients).toBe(50);
    });
  }

  it('the measurement sees buffering: a buffered rule grows by ≈ 50 models', () => {
    const agg = new BufferedAggregator(schema, {
      rule: 'median',
      maxClients: 50,
      maxBufferedBytes: 51 * MODEL_BYTES,
    });
    const growth = growthOver50(agg);
    expect(growth).toBeGreaterThan(45 * MODEL_BYTES);
  });
});
