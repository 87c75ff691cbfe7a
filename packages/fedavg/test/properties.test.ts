import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { type AggregatorOptions, createAggregator } from '../src/createAggregator';
import type { ClientUpdate } from '../src/types';
import { refKrumScores } from './referenceRules';

const D = 6;
const schema = new Map<string, number[]>([
  ['a', [2, 2]],
  ['b', [2]],
]);

const value = fc.float({ min: -1e3, max: 1e3, noNaN: true, noDefaultInfinity: true });
const intValue = fc.integer({ min: -1000, max: 1000 });
const update = (v: fc.Arbitrary<number>, maxN = 10_000) =>
  fc.record({ x: fc.array(v, { minLength: D, maxLength: D }), n: fc.integer({ min: 1, max: maxN }) });
const updates = (v: fc.Arbitrary<number>, min = 1, max = 9, maxN = 10_000) =>
  fc.array(update(v, maxN), { minLength: min, maxLength: max });
/** integer data small enough that every float32 partial sum Σ n_k·x_k is exact (< 2^24) */
const exactUpdates = updates(intValue, 1, 9, 100);

type Raw = { x: number[]; n: number };
const toUpdate = ({ x, n }: Raw): ClientUpdate => ({
  numSamples: n,
  delta: new Map([
    ['a', new Float32Array(x.slice(0, 4))],
    ['b', new Float32Array(x.slice(4))],
  ]),
});

/** The aggregate as plain numbers (−0 normalised to +0: numeric, not bitwise, equality). */
function run(opts: AggregatorOptions, raw: Raw[]): number[] {
  const agg = createAggregator(schema, opts);
  for (const r of raw) agg.add(toUpdate(r));
  const d = agg.finish().delta;
  return [...d.get('a')!, ...d.get('b')!].map((x) => x + 0);
}

/** Σ_k (n_k/n)·|x_k,i| per coordinate (scale of the rounding error). */
function magnitude(raw: Raw[], uniform = false): number[] {
  const n = uniform ? raw.length : raw.reduce((s, r) => s + r.n, 0);
  return Array.from({ length: D }, (_, i) =>
    raw.reduce((s, r) => s + ((uniform ? 1 : r.n) / n) * Math.abs(Math.fround(r.x[i]!)), 0),
  );
}

const permutation = <T>(xs: T[]) =>
  fc.array(fc.nat(), { minLength: xs.length, maxLength: xs.length }).map((keys) =>
    xs
      .map((x, i) => ({ x, k: keys[i]!, i }))
      .sort((p, q) => p.k - q.k || p.i - q.i)
      .map((p) => p.x),
  );

const RULES: AggregatorOptions[] = [
  { rule: 'fedavg', precision: 'f64' },
  { rule: 'trimmed-mean', trim: 0.2, maxClients: 16 },
  { rule: 'median', maxClients: 16 },
];

describe('properties', () => {
  it('fedavg is permutation invariant (exact on integer data, within 2·2^-24 otherwise)', () => {
    fc.assert(
      fc.property(
        exactUpdates.chain((u) => fc.tuple(fc.constant(u), permutation(u))),
        ([u, p]) => {
          expect(run({ rule: 'fedavg' }, p)).toEqual(run({ rule: 'fedavg' }, u));
        },
      ),
    );
    fc.assert(
      fc.property(
        updates(value).chain((u) => fc.tuple(fc.constant(u), permutation(u))),
        ([u, p]) => {
          const a = run({ rule: 'fedavg', precision: 'f64' }, u);
          const b = run({ rule: 'fedavg', precision: 'f64' }, p);
          const m = magnitude(u);
          a.forEach((x, i) => {
            expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(2 * 2 ** -24 * m[i]! + 1e-40);
          });
        },
      ),
    );
  });

  for (const opts of RULES.slice(1)) {
    it(`${opts.rule} is exactly permutation invariant`, () => {
      fc.assert(
        fc.property(
          updates(value).chain((u) => fc.tuple(fc.constant(u), permutation(u))),
          ([u, p]) => {
            expect(run(opts, p)).toEqual(run(opts, u));
          },
        ),
      );
    });
  }

  it('krum is permutation invariant when scores are distinct', () => {
    const opts: AggregatorOptions = { rule: 'krum', byzantine: 1, select: 2, maxClients: 16 };
    fc.assert(
      fc.property(
        updates(value, 5, 9).chain((u) => fc.tuple(fc.constant(u), permutation(u))),
        ([u, p]) => {
          // ties are broken by arrival order, so they are excluded
          const scores = refKrumScores(
            u.map((r) => r.x.map(Math.fround)),
            1,
          );
          fc.pre(new Set(scores).size === scores.length);
          const a = run(opts, u);
          const b = run(opts, p);
          a.forEach((x, i) => {
            expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(2 ** -23 * Math.abs(x) + 1e-44);
          });
        },
      ),
    );
  });

  for (const opts of [...RULES, { rule: 'krum', byzantine: 1, maxClients: 16 } as AggregatorOptions]) {
    it(`identical updates aggregate to themselves (${opts.rule})`, () => {
      fc.assert(
        fc.property(
          update(value),
          fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 5, maxLength: 12 }),
          (u, ns) => {
            const got = run(
              opts,
              ns.map((n) => ({ x: u.x, n })),
            );
            expect(got).toEqual(u.x.map((x) => Math.fround(x) + 0));
          },
        ),
      );
    });
  }

  it('identical updates aggregate to themselves with f32 accumulation, within γ_{K+3}', () => {
    fc.assert(
      fc.property(
        update(value),
        fc.array(fc.integer({ min: 1, max: 100_000 }), { minLength: 1, maxLength: 12 }),
        (u, ns) => {
          const got = run(
            { rule: 'fedavg' },
            ns.map((n) => ({ x: u.x, n })),
          );
          const g = ((ns.length + 3) * 2 ** -24) / (1 - (ns.length + 3) * 2 ** -24);
          got.forEach((x, i) => {
            expect(Math.abs(x - Math.fround(u.x[i]!))).toBeLessThanOrEqual(
              g * Math.abs(Math.fround(u.x[i]!)),
            );
          });
        },
      ),
    );
  });

  it('scaling every n_k by a constant changes nothing (exact for powers of two)', () => {
    fc.assert(
      fc.property(updates(value), fc.integer({ min: 0, max: 10 }), (u, e) => {
        const scaled = u.map((r) => ({ ...r, n: r.n * 2 ** e }));
        expect(run({ rule: 'fedavg' }, scaled)).toEqual(run({ rule: 'fedavg' }, u));
      }),
    );
    fc.assert(
      fc.property(updates(value), fc.integer({ min: 2, max: 1000 }), (u, c) => {
        const scaled = u.map((r) => ({ ...r, n: r.n * c }));
        const a = run({ rule: 'fedavg', precision: 'f64' }, u);
        const b = run({ rule: 'fedavg', precision: 'f64' }, scaled);
        const m = magnitude(u);
        a.forEach((x, i) => {
          expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(2 * 2 ** -24 * m[i]! + 1e-40);
        });
      }),
    );
  });

  it('trimmed mean with zero trim equals the (unweighted) mean', () => {
    fc.assert(
      fc.property(exactUpdates, (u) => {
        expect(run({ rule: 'trimmed-mean', trim: 0, maxClients: 16 }, u)).toEqual(
          run({ rule: 'fedavg', weighting: 'uniform', precision: 'f64' }, u),
        );
      }),
    );
    fc.assert(
      fc.property(updates(value), (u) => {
        const a = run({ rule: 'trimmed-mean', trim: 0, maxClients: 16 }, u);
        const b = run({ rule: 'fedavg', weighting: 'uniform', precision: 'f64' }, u);
        const m = magnitude(u, true);
        a.forEach((x, i) => {
          expect(Math.abs(x - b[i]!)).toBeLessThanOrEqual(2 * 2 ** -24 * m[i]! + 1e-40);
        });
      }),
    );
  });
});
