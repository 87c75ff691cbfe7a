import { describe, expect, it } from 'vitest';
import { AdamW, checkFinite, clipGradNorm, LocalTrainer, learningRate, type TokenBatch } from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

/** Textbook AdamW (decoupled decay) in float64, one tensor. */
function referenceAdamW(w: number[], grads: number[][], lrs: number[], wd: number): number[] {
  const [b1, b2, eps] = [0.9, 0.999, 1e-8];
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  const p = [...w];
  grads.forEach((g, s) => {
    const t = s + 1;
    for (let i = 0; i < p.length; i++) {
      p[i] = p[i]! - lrs[s]! * wd * p[i]!;
      m[i] = b1 * m[i]! + (1 - b1) * g[i]!;
      v[i] = b2 * v[i]! + (1 - b2) * g[i]! ** 2;
      p[i] = p[i]! - (lrs[s]! * (m[i]! / (1 - b1 ** t))) / (Math.sqrt(v[i]! / (1 - b2 ** t)) + eps);
    }
  });
  return p;
}

describe('AdamW', () => {
  it('matches a textbook float64 AdamW over 3 steps; decay only on matrices', () => {
    const w0 = [0.5, -0.25, 0.125, 1];
    const grads = [
      [0.1, -0.2, 0.3, 0],
      [0.05, 0.1, -0.3, 0.2],
      [-0.4, 0.2, 0.1, -0.1],
    ];
    const lrs = [1e-2, 5e-3, 1e-3];
    const params = new Map([
      ['m', { shape: [2, 2], data: Float32Array.from(w0) }],
      ['b', { shape: [4], data: Float32Array.from(w0) }],
    ]);
    const opt = new AdamW({ weightDecay: 0.1 });
    grads.forEach((g, s) => {
      opt.step(
        params,
        new Map([
          ['m', g],
          ['b', g],
        ]),
        lrs[s]!,
      );
    });
    const m = referenceAdamW(w0, grads, lrs, 0.1);
    const b = referenceAdamW(w0, grads, lrs, 0);
    for (const [name, want] of [
      ['m', m],
      ['b', b],
    ] as const) {
      params.get(name)!.data.forEach((x, i) => {
        expect(x).toBeCloseTo(want[i]!, 6);
      });
    }
    expect(opt.steps).toBe(3);
  });

  it('weight decay is decoupled: a zero gradient only shrinks matrices by (1 − lr·λ)', () => {
    const params = new Map([
      ['w', { shape: [1, 2], data: Float32Array.from([2, -4]) }],
      ['bias', { shape: [2], data: Float32Array.from([2, -4]) }],
    ]);
    new AdamW({ weightDecay: 0.5 }).step(
      params,
      new Map([
        ['w', [0, 0]],
        ['bias', [0, 0]],
      ]),
      0.1,
    );
    expect([...params.get('w')!.data]).toEqual([2 * 0.95, -4 * 0.95].map(Math.fround));
    expect([...params.get('bias')!.data]).toEqual([2, -4]);
  });
});

describe('global-norm clipping', () => {
  it('scales all gradients to the max norm and returns the norm before clipping', () => {
    const a = Float32Array.from([3, 0]);
    const b = Float64Array.from([0, 4]);
    expect(clipGradNorm([a, b], 1)).toBeCloseTo(5, 12);
    expect(a[0]).toBeCloseTo(0.6, 6);
    expect(b[1]).toBeCloseTo(0.8, 6);
  });
  it('leaves gradients below the max untouched', () => {
    const a = Float64Array.from([0.3, 0.4]);
    expect(clipGradNorm([a], 1)).toBeCloseTo(0.5, 12);
    expect([...a]).toEqual([0.3, 0.4]);
  });
});

describe('warmup + cosine schedule', () => {
  const s = { lr: 1, warmupSteps: 4, totalSteps: 14, minLrRatio: 0.1 };
  it('warms up linearly, peaks, decays by cosine to the floor', () => {
    expect([0, 1, 2, 3].map((t) => learningRate(t, s))).toEqual([0.25, 0.5, 0.75, 1]);
    expect(learningRate(4, s)).toBe(1);
    expect(learningRate(9, s)).toBeCloseTo(0.55, 12); // halfway: floor + (1 − floor)/2
    expect(learningRate(14, s)).toBeCloseTo(0.1, 12);
    expect(learningRate(100, s)).toBeCloseTo(0.1, 12);
  });
});

describe('non-finite guard', () => {
  it('throws non_finite for NaN loss or Inf gradient', () => {
    expect(() => checkFinite(Number.NaN, new Map())).toThrow(expect.objectContaining({ code: 'non_finite' }));
    expect(() => checkFinite(1, new Map([['w', [0, Number.POSITIVE_INFINITY]]]))).toThrow(
      expect.objectContaining({ code: 'non_finite' }),
    );
    expect(() => checkFinite(1, new Map([['w', [0, 1]]]))).not.toThrow();
  });
});

describe('gradient accumulation', () => {
  it('two micro-batches give the same step as one batch holding both (token-weighted mean)', async () => {
    const fx = loadFixture('gpt2');
    const S = 16;
    const [s0, s1] = fx.sequences as [number[], number[]];
    // different numbers of scored positions per micro-batch: 15 and 9
    const m1 = new Uint8Array(S).fill(1).fill(0, 10);
    const b0: TokenBatch = { ids: s0, batch: 1, seq: S };
    const b1: TokenBatch = { ids: s1, batch: 1, seq: S, mask: m1 };
    const both: TokenBatch = {
      ids: [...s0, ...s1],
      batch: 2,
      seq: S,
      mask: Uint8Array.from([...new Array(S).fill(1), ...m1]),
    };
    const opts = {
      config: fx.config,
      weights: fx.weights,
      backend: createNodeBackend('ref'),
      optimizer: { lr: 1e-2 },
    };
    const a = new LocalTrainer(opts);
    const b = new LocalTrainer(opts);
    const ra = await a.step([b0, b1]);
    const rb = await b.step([both]);
    expect(ra.targets).toBe(24);
    expect(ra.loss).toBeCloseTo(rb.loss, 12);
    expect(ra.gradNorm).toBeCloseTo(rb.gradNorm, 6);
    for (const [k, w] of a.weights) {
      const v = b.weights.get(k)!.data;
      w.data.forEach((x, i) => {
        expect(Math.abs(x - v[i]!)).toBeLessThan(1e-6);
      });
    }
  });
});
