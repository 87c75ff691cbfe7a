import { describe, expect, it } from 'vitest';
import { createAggregator } from '../src/createAggregator';
import { Accumulator } from '../src/kernel/Accumulator';
import { simdAvailable } from '../src/kernel/sumOfSquares';
import { StreamingAggregator } from '../src/StreamingAggregator';
import type { ClientUpdate } from '../src/types';
import { f32ToScaledBigInt, randomUpdate } from './updateFactory';
import vectors from './vectors/aggregation.json';

type Case = (typeof vectors.cases)[number] & { tolerance?: number; selected?: number[] };

function toUpdate(u: { numSamples: number; delta: Record<string, number[]> }): ClientUpdate {
  return {
    numSamples: u.numSamples,
    delta: new Map(Object.entries(u.delta).map(([k, v]) => [k, new Float32Array(v)])),
  };
}

describe('hand-computed aggregation vectors', () => {
  for (const c of vectors.cases as Case[]) {
    for (const backend of ['wasm-simd', 'js'] as const) {
      it(`${c.name} (${backend})`, () => {
        const schema = new Map(Object.entries(c.schema));
        const agg = createAggregator(schema, { ...(c.rule as object), backend } as never);
        for (const u of c.updates) agg.add(toUpdate(u));
        const r = agg.finish();
        for (const [name, expected] of Object.entries(c.expected)) {
          const got = [...r.delta.get(name)!];
          if (c.tolerance)
            got.forEach((g, i) => {
              expect(Math.abs(g - expected[i]!)).toBeLessThan(c.tolerance!);
            });
          else expect(got).toEqual(expected);
        }
        expect(r.clients).toBe(c.updates.length);
        expect(r.numSamples).toBe(c.updates.reduce((s, u) => s + u.numSamples, 0));
        if (c.selected) expect(r.selected).toEqual(c.selected);
      });
    }
  }
});

describe('fold kernel', () => {
  it('folding into fresh memory gives the same bits as folding into zeros (−0 becomes +0)', () => {
    const schema = new Map<string, number[]>([['w', [11]]]);
    const x = new Float32Array([-0, 0, -1, 2, -0, 3, -0, 0, -0, 5, -0]);
    for (const fold of ['fused', 'two-pass'] as const) {
      const bits = (['wasm-simd', 'js'] as const).map((backend) => {
        const agg = new StreamingAggregator(schema, { backend, fold });
        agg.add({ delta: new Map([['w', x]]), numSamples: 3 });
        const d = agg.finish().delta.get('w')!;
        return [...new Uint32Array(d.slice().buffer)];
      });
      expect(bits[0]).toEqual(bits[1]);
      expect(bits[0]![0]).toBe(0);
    }
  });

  it('WebAssembly SIMD is available in this Node', () => {
    expect(simdAvailable()).toBe(true);
  });

  for (const precision of ['f32', 'f64'] as const) {
    it(`fused and two-pass folds give bit-identical ${precision} aggregates and norms`, () => {
      const schema = new Map<string, number[]>([
        ['big', [3, 8193]],
        ['odd', [13]],
      ]);
      const runs = (['fused', 'two-pass'] as const).map((fold) => {
        const agg = new StreamingAggregator(schema, { precision, fold });
        const norms = Array.from(
          { length: 6 },
          (_, k) => agg.add(randomUpdate(schema, 300 + k, 1 + k, 3)).norm,
        );
        return { norms, delta: agg.finish().delta };
      });
      expect(runs[0]!.norms).toEqual(runs[1]!.norms);
      for (const name of schema.keys()) expect(runs[0]!.delta.get(name)).toEqual(runs[1]!.delta.get(name));
    });

    it(`wasm-simd and js backends give bit-identical ${precision} aggregates`, () => {
      const schema = new Map<string, number[]>([
        ['big', [3, 8193]],
        ['odd', [13]],
        ['scalar', []],
      ]);
      const results = (['wasm-simd', 'js'] as const).map((backend) => {
        const agg = new StreamingAggregator(schema, { precision, backend });
        expect(agg.backend).toBe(backend);
        for (let k = 0; k < 9; k++) agg.add(randomUpdate(schema, 100 + k, 1 + k * 1000, 10 ** ((k % 5) - 2)));
        return agg.finish().delta;
      });
      const bytes = (x: Float32Array) => Buffer.from(x.buffer, x.byteOffset, x.byteLength);
      for (const name of schema.keys()) {
        expect(bytes(results[0]!.get(name)!).equals(bytes(results[1]!.get(name)!))).toBe(true);
      }
    });

    it(`splits tensors across arenas and segments (${precision})`, () => {
      const schema = new Map<string, number[]>([
        ['a', [40_000]],
        ['b', [5]],
        ['c', [20_001]],
      ]);
      // arenas of 2 kernel blocks force 'a' and 'c' into several segments
      const maxArenaBytes = 2 * 8192 * (precision === 'f64' ? 8 : 4);
      const wasm = new Accumulator(schema, { precision, backend: 'wasm-simd', maxArenaBytes });
      const fused = new Accumulator(schema, {
        precision,
        backend: 'wasm-simd',
        maxArenaBytes,
        doubleBuffer: true,
      });
      const js = new Accumulator(schema, { precision, backend: 'js' });
      expect(wasm.backend).toBe('wasm-simd');
      expect(fused.doubleBuffer).toBe(true);
      for (let k = 0; k < 3; k++) {
        const u = randomUpdate(schema, k, 1);
        for (const [name, x] of u.delta) {
          wasm.fold(name, x, k + 0.5);
          js.fold(name, x, k + 0.5);
        }
        wasm.commit();
        js.commit();
        expect(fused.foldChecked(schema.keys(), u.delta, k + 0.5)).toBeGreaterThan(0);
      }
      const poisoned = randomUpdate(schema, 99, 1);
      poisoned.delta.get('c')![20_000] = Number.NaN;
      expect(fused.foldChecked(schema.keys(), poisoned.delta, 1)).toBeNaN();
      for (const name of schema.keys()) {
        const expected = js.quotient(name, 3);
        expect(wasm.quotient(name, 3)).toEqual(expected);
        expect(fused.quotient(name, 3)).toEqual(expected);
      }
    });
  }
});

/**
 * Exact reference: every float32 is an integer multiple of 2^-149, so
 * S_i = Σ n_k · Δ_k,i · 2^149 is an exact BigInt and the true mean is S_i / (n · 2^149).
 */
function exactErrors(updates: ClientUpdate[], got: Float32Array, name: string) {
  const n = updates.reduce((s, u) => s + u.numSamples, 0);
  const scale = 2 ** 149;
  return [...got].map((g, i) => {
    let s = 0n;
    let abs = 0;
    for (const u of updates) {
      const x = u.delta.get(name)![i]!;
      s += BigInt(u.numSamples) * f32ToScaledBigInt(x);
      abs += (u.numSamples / n) * Math.abs(x);
    }
    const diff = f32ToScaledBigInt(g) * BigInt(n) - s; // exact (ĝ − g) · n · 2^149
    const err = Math.abs(Number(diff)) / n / scale;
    const exact = Number(s) / n / scale;
    return { err, abs, exact };
  });
}

const gamma = (m: number, u: number) => (m * u) / (1 - m * u);

describe('accumulation error bounds (documented in FedAvgOptions.precision)', () => {
  // cancellation-heavy data: large alternating values plus small ones, mixed n_k
  const K = 400;
  const schema = new Map<string, number[]>([['w', [64]]]);
  const updates = Array.from({ length: K }, (_, k) => {
    const u = randomUpdate(schema, 7000 + k, 1 + ((k * 7919) % 5000));
    const x = u.delta.get('w')!;
    for (let i = 0; i < x.length; i++) x[i] = x[i]! * (k % 2 ? 1e4 : 1e-3) * (i % 3 === 0 ? -1 : 1);
    return u;
  });

  it('f32 accumulation stays within γ_{K+3}·Σ(n_k/n)|Δ_k,i| (u = 2^-24)', () => {
    const agg = new StreamingAggregator(schema, { precision: 'f32' });
    for (const u of updates) agg.add(u);
    const errs = exactErrors(updates, agg.finish().delta.get('w')!, 'w');
    let worst = 0;
    for (const { err, abs, exact } of errs) {
      expect(err).toBeLessThanOrEqual(gamma(K + 3, 2 ** -24) * abs);
      worst = Math.max(worst, err / Math.abs(exact));
    }
    // on this cancellation-heavy data f32 loses many bits relative to the result; f64 does not (below)
    expect(worst).toBeGreaterThan(2 ** -16);
  });

  it('f64 accumulation is within 2^-24·|Δ̄_i| + γ_{K+2}(2^-53)·Σ(n_k/n)|Δ_k,i|', () => {
    const agg = new StreamingAggregator(schema, { precision: 'f64' });
    for (const u of updates) agg.add(u);
    const errs = exactErrors(updates, agg.finish().delta.get('w')!, 'w');
    let worst = 0;
    for (const { err, abs, exact } of errs) {
      expect(err).toBeLessThanOrEqual(2 ** -24 * Math.abs(exact) + gamma(K + 2, 2 ** -53) * abs + 2 ** -149);
      worst = Math.max(worst, err / Math.abs(exact));
    }
    expect(worst).toBeLessThan(2 ** -23);
  });
});
