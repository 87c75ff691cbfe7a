import { describe, expect, it } from 'vitest';
import { AdaptiveOptimizer } from '../src/optimizers/AdaptiveOptimizer';
import { createServerOptimizer, type ServerOptimizerOptions } from '../src/optimizers/createServerOptimizer';
import { FedAvgMOptimizer } from '../src/optimizers/FedAvgMOptimizer';
import { FedAvgOptimizer } from '../src/optimizers/FedAvgOptimizer';
import vectors from './vectors/optimizers.json';

const schema = new Map<string, number[]>([['w', [3]]]);
const t = (xs: number[]) => new Map([['w', new Float32Array(xs)]]);

describe('server optimizers against independent float64 references (vectors/optimizers.py)', () => {
  for (const c of vectors.cases) {
    it(`${c.optimizer.name} ${JSON.stringify(c.optimizer)}`, () => {
      const opt = createServerOptimizer(c.optimizer as ServerOptimizerOptions);
      let model: Map<string, Float32Array> = t(vectors.model);
      vectors.deltas.forEach((d, round) => {
        const before = model.get('w')!.slice();
        const next = opt.apply(model, schema, t(d));
        // never modifies its input
        expect(model.get('w')).toEqual(before);
        const expected = c.models[round]!;
        next.get('w')!.forEach((v, i) => {
          expect(Math.abs(v - expected[i]!)).toBeLessThan(2e-6 * (1 + Math.abs(expected[i]!)));
        });
        model = next;
      });
    });
  }

  it('η = 1 FedAvg is exactly M − Δ̄ (classic FedAvg)', () => {
    const next = new FedAvgOptimizer().apply(t([1, 1, 1]), schema, t([0.125, 0.75, -2]));
    expect([...next.get('w')!]).toEqual([0.875, 0.25, 3]);
  });
});

describe('server optimizers on bad input', () => {
  it('leave state untouched when a step is rejected', () => {
    for (const opt of [
      new FedAvgMOptimizer(),
      new AdaptiveOptimizer('fedadam'),
      new AdaptiveOptimizer('fedyogi'),
    ]) {
      opt.apply(t([1, 2, 3]), schema, t([0.1, 0.2, 0.3]));
      const before = JSON.stringify(opt.state, (_, v) =>
        v instanceof Float32Array ? [...v] : v instanceof Map ? [...v] : v,
      );
      for (const bad of [t([Number.NaN, 0, 0]), t([0, 0]), new Map([['v', new Float32Array(3)]])]) {
        expect(() => opt.apply(t([1, 2, 3]), schema, bad)).toThrow(
          expect.objectContaining({ name: 'FedAvgError' }),
        );
      }
      expect(() => opt.apply(new Map([['w', new Float64Array(3) as never]]), schema, t([0, 0, 0]))).toThrow(
        expect.objectContaining({ code: 'DTYPE_MISMATCH' }),
      );
      const after = JSON.stringify(opt.state, (_, v) =>
        v instanceof Float32Array ? [...v] : v instanceof Map ? [...v] : v,
      );
      expect(after).toBe(before);
    }
  });

  it('reject invalid hyper-parameters', () => {
    const bad: ServerOptimizerOptions[] = [
      { name: 'fedavg', serverLr: 0 },
      { name: 'fedavg', serverLr: Number.POSITIVE_INFINITY },
      { name: 'fedavgm', momentum: 1 },
      { name: 'fedavgm', momentum: -0.1 },
      { name: 'fedadam', beta1: 1 },
      { name: 'fedyogi', beta2: 1.5 },
      { name: 'fedadam', tau: 0 },
      { name: 'sgd' as never },
    ];
    for (const opts of bad) {
      expect(() => createServerOptimizer(opts)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
    }
  });
});
