import { describe, expect, it } from 'vitest';
import { clipByNorm } from '../src/clipByNorm';
import { SeededRng } from '../src/SeededRng';
import { StreamingAggregator } from '../src/StreamingAggregator';
import type { ClientUpdate } from '../src/types';
import { flat, randomUpdate } from './updateFactory';

describe('SeededRng', () => {
  it('matches the xoshiro128** reference outputs for state (1, 2, 3, 4)', () => {
    // from the reference C implementation (Blackman & Vigna, xoshiro128starstar.c)
    const rng = SeededRng.fromState(1, 2, 3, 4);
    const out = Array.from({ length: 6 }, () => rng.nextUint32());
    expect(out).toEqual([11520, 0, 5927040, 70819200, 2031721883, 1637235492]);
  });

  it('is reproducible per seed and differs across seeds', () => {
    const a = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextGaussian()
      )(new SeededRng(42)),
    );
    const b = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextGaussian()
      )(new SeededRng(42)),
    );
    const c = Array.from(
      { length: 5 },
      (
        (r) => () =>
          r.nextGaussian()
      )(new SeededRng('42')),
    );
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    expect(() => new SeededRng(1.5)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });
});

/** Standard normal CDF via erf (Abramowitz & Stegun 7.1.26, |error| < 1.5e-7). */
function phi(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * z);
  const y =
    1 -
    ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) *
      t *
      Math.exp(-z * z);
  return 0.5 * (1 + Math.sign(x) * y);
}

describe('differential privacy (fixed clipping + Gaussian noise)', () => {
  const n = 200_000;
  const schema = new Map<string, number[]>([['w', [n]]]);
  const zero: ClientUpdate = { numSamples: 5, delta: new Map([['w', new Float32Array(n)]]) };

  it('noise has mean 0, standard deviation z·C/K, Gaussian shape; the report says so', () => {
    const z = 1.3;
    const C = 2;
    const K = 4;
    const agg = new StreamingAggregator(schema, { dp: { clipNorm: C, noiseMultiplier: z, seed: 'stats' } });
    for (let k = 0; k < K; k++) agg.add(zero);
    const r = agg.finish();
    expect(r.dp).toEqual({
      mechanism: 'gaussian',
      noiseMultiplier: z,
      clipNorm: C,
      clients: K,
      stddev: (z * C) / K,
      clipped: 0,
      seeded: true,
    });
    const x = r.delta.get('w')!;
    const sigma = (z * C) / K;
    let s1 = 0;
    for (const v of x) s1 += v;
    const mean = s1 / n;
    let s2 = 0;
    let s4 = 0;
    let within1 = 0;
    for (const v of x) {
      const d = v - mean;
      s2 += d * d;
      s4 += d ** 4;
      if (Math.abs(v) <= sigma) within1++;
    }
    const variance = s2 / (n - 1);
    const kurtosis = s4 / n / (s2 / n) ** 2;
    expect(Math.abs(mean)).toBeLessThan((5 * sigma) / Math.sqrt(n));
    expect(Math.abs(Math.sqrt(variance) / sigma - 1)).toBeLessThan(0.01); // std. error ≈ 0.16%
    expect(Math.abs(kurtosis - 3)).toBeLessThan(0.06); // std. error ≈ 0.011
    expect(Math.abs(within1 / n - 0.682689)).toBeLessThan(0.006); // std. error ≈ 0.001
    // Kolmogorov–Smirnov against N(0, σ²): critical value at α = 0.001 is 1.95/√n
    const sorted = Float64Array.from(x).sort();
    let d = 0;
    for (let i = 0; i < n; i++) {
      const f = phi(sorted[i]! / sigma);
      d = Math.max(d, Math.abs(f - i / n), Math.abs(f - (i + 1) / n));
    }
    expect(d).toBeLessThan(1.95 / Math.sqrt(n));
  });

  it('same seed gives the same noise; no seed gives fresh noise', () => {
    const run = (seed?: string) => {
      const agg = new StreamingAggregator(schema, {
        dp:
          seed === undefined
            ? { clipNorm: 1, noiseMultiplier: 1 }
            : { clipNorm: 1, noiseMultiplier: 1, seed },
      });
      agg.add(zero);
      return agg.finish();
    };
    expect(run('s').delta.get('w')!.slice(0, 100)).toEqual(run('s').delta.get('w')!.slice(0, 100));
    const u1 = run();
    expect(u1.dp?.seeded).toBe(false);
    expect(u1.delta.get('w')!.slice(0, 100)).not.toEqual(run().delta.get('w')!.slice(0, 100));
  });

  it('clips each update to C and averages uniformly (z = 0 isolates the clipping)', () => {
    const small = new Map<string, number[]>([['w', [4]]]);
    const updates = [
      randomUpdate(small, 1, 1, 10),
      randomUpdate(small, 2, 1000, 0.01),
      randomUpdate(small, 3, 7, 3),
    ];
    const agg = new StreamingAggregator(small, { dp: { clipNorm: 1, noiseMultiplier: 0 }, precision: 'f64' });
    for (const u of updates) agg.add(u);
    const r = agg.finish();
    const clipped = updates.map((u) => flat(clipByNorm(u.delta, 1).delta, small));
    const expected = clipped[0]!.map((_, i) => Math.fround(clipped.reduce((s, c) => s + c[i]!, 0) / 3));
    flat(r.delta, small).forEach((g, i) => {
      expect(Math.abs(g - expected[i]!)).toBeLessThan(1e-7);
    });
    expect(r.dp?.clipped).toBe(2);
    expect(r.dp?.stddev).toBe(0);
  });

  it('rejects contradictory or invalid DP options', () => {
    const bad = [
      { dp: { clipNorm: 0, noiseMultiplier: 1 } },
      { dp: { clipNorm: 1, noiseMultiplier: -1 } },
      { dp: { clipNorm: 1, noiseMultiplier: Number.NaN } },
      { dp: { clipNorm: 1, noiseMultiplier: 1 }, weighting: 'samples' as const },
      { dp: { clipNorm: 1, noiseMultiplier: 1 }, clipNorm: 2 },
      { clipNorm: -3 },
    ];
    for (const opts of bad) {
      expect(() => new StreamingAggregator(schema, opts)).toThrow(
        expect.objectContaining({ code: 'INVALID_OPTION' }),
      );
    }
  });
});

describe('norm clipping', () => {
  it('scales an update above C to norm C and leaves smaller ones alone', () => {
    const delta = new Map([['w', new Float32Array([3, 4])]]);
    const r = clipByNorm(delta, 1);
    expect(r.norm).toBe(5);
    expect(r.factor).toBe(0.2);
    expect([...r.delta.get('w')!]).toEqual([Math.fround(0.6), Math.fround(0.8)]);
    expect([...delta.get('w')!]).toEqual([3, 4]);
    expect(clipByNorm(delta, 10).factor).toBe(1);
  });
});
