import { describe, expect, it } from 'vitest';
import { BufferedAggregator } from '../src/BufferedAggregator';
import { type AggregatorOptions, createAggregator } from '../src/createAggregator';
import { isFedAvgError } from '../src/errors';
import { SeededRng } from '../src/SeededRng';
import type { ClientUpdate } from '../src/types';
import { refKrum, refMedian, refTrimmedMean, type Vec } from './referenceRules';
import { flat, randomUpdate } from './updateFactory';

const schema = new Map<string, number[]>([
  ['w', [3, 5]],
  ['b', [3]],
]);

function aggregate(opts: AggregatorOptions, updates: ClientUpdate[]) {
  const agg = createAggregator(schema, opts);
  for (const u of updates) agg.add(u);
  return agg.finish();
}

describe('robust rules agree with brute-force references', () => {
  for (const k of [1, 2, 5, 8, 13, 40]) {
    it(`trimmed mean and median, K = ${k}`, () => {
      const updates = Array.from({ length: k }, (_, i) => randomUpdate(schema, k * 100 + i, 1, 10));
      const vecs: Vec[] = updates.map((u) => flat(u.delta, schema));
      for (const beta of [0, 0.1, 0.25, 0.49]) {
        const r = aggregate({ rule: 'trimmed-mean', trim: beta, maxClients: k }, updates);
        expect(flat(r.delta, schema)).toEqual(refTrimmedMean(vecs, beta).map(Math.fround));
      }
      const m = aggregate({ rule: 'median', maxClients: k }, updates);
      expect(flat(m.delta, schema)).toEqual(refMedian(vecs).map(Math.fround));
    });
  }

  for (const [k, f, m] of [
    [5, 1, 1],
    [7, 2, 1],
    [10, 3, 4],
    [12, 1, 11],
  ] as const) {
    it(`Krum K = ${k}, f = ${f}, m = ${m}`, () => {
      const updates = Array.from({ length: k }, (_, i) => randomUpdate(schema, 900 + i, 1 + (i % 4), 1 + i));
      const vecs = updates.map((u) => flat(u.delta, schema));
      const ref = refKrum(
        vecs,
        updates.map((u) => u.numSamples),
        f,
        m,
      );
      const r = aggregate({ rule: 'krum', byzantine: f, select: m, maxClients: k }, updates);
      expect(r.selected).toEqual(ref.selected);
      const got = flat(r.delta, schema);
      got.forEach((g, i) => {
        expect(Math.abs(g - ref.mean[i]!)).toBeLessThanOrEqual(2 ** -23 * Math.abs(ref.mean[i]!));
      });
    });
  }
});

describe('poisoned updates versus each rule', () => {
  // nine honest clients near μ (spread 0.01) and one attacker
  const mu = new Map([...schema].map(([name, shape]) => [name, shape.reduce((p, d) => p * d, 1)] as const));
  const rng = new SeededRng('honest');
  const center = new Map(
    [...mu].map(([name, n]) => [name, Float32Array.from({ length: n }, () => rng.nextFloat() + 0.5)]),
  );
  const honest: ClientUpdate[] = Array.from({ length: 9 }, () => ({
    numSamples: 10,
    delta: new Map(
      [...center].map(([name, c]) => [name, c.map((x) => x + 0.01 * (2 * rng.nextFloat() - 1))] as const),
    ),
  }));
  const scaled = (u: ClientUpdate, s: number): ClientUpdate => ({
    numSamples: u.numSamples,
    delta: new Map([...u.delta].map(([name, x]) => [name, x.map((v) => v * s)])),
  });
  const poisons: Record<string, ClientUpdate> = {
    '×1000': scaled(honest[0]!, 1000),
    'sign-flipped ×10': scaled(honest[1]!, -10),
  };
  const nanUpdate = scaled(honest[2]!, 1);
  nanUpdate.delta.get('w')![7] = Number.NaN;

  const maxDev = (d: Map<string, Float32Array>) =>
    Math.max(...[...d].flatMap(([name, x]) => [...x].map((v, i) => Math.abs(v - center.get(name)![i]!))));

  const RULES: [string, AggregatorOptions, boolean][] = [
    ['fedavg', { rule: 'fedavg' }, false],
    ['fedavg + clipNorm', { rule: 'fedavg', clipNorm: 5 }, true],
    ['trimmed mean β = 0.1', { rule: 'trimmed-mean', trim: 0.1, maxClients: 10 }, true],
    ['median', { rule: 'median', maxClients: 10 }, true],
    ['Krum f = 1', { rule: 'krum', byzantine: 1, maxClients: 10 }, true],
    ['multi-Krum f = 1, m = 5', { rule: 'krum', byzantine: 1, select: 5, maxClients: 10 }, true],
  ];

  for (const [label, opts, robust] of RULES) {
    for (const [kind, poison] of Object.entries(poisons)) {
      it(`${label} vs ${kind}: ${robust ? 'bounded' : 'moved (no defence)'}`, () => {
        const r = aggregate(opts, [...honest.slice(0, 4), poison, ...honest.slice(4)]);
        const dev = maxDev(r.delta);
        if (label.startsWith('fedavg + clipNorm')) {
          // clipping bounds the attacker's pull to C·n_att/n; honest norms are < C
          expect(dev).toBeLessThan(5 / 10 + 0.05);
          expect(r.clipped).toBe(1);
        } else if (robust) {
          expect(dev).toBeLessThan(0.05);
          if (opts.rule === 'krum') expect(r.selected).not.toContain(4);
        } else {
          expect(dev).toBeGreaterThan(1);
        }
      });
    }

    it(`${label} vs NaN: rejected with NON_FINITE, aggregate equals the honest-only one`, () => {
      const agg = createAggregator(schema, opts);
      for (const u of honest.slice(0, 4)) agg.add(u);
      let err: unknown;
      try {
        agg.add(nanUpdate);
      } catch (e) {
        err = e;
      }
      expect(isFedAvgError(err, 'NON_FINITE')).toBe(true);
      expect(agg.clients).toBe(4);
      for (const u of honest.slice(4)) agg.add(u);
      const clean = aggregate(opts, honest);
      expect(flat(agg.finish().delta, schema)).toEqual(flat(clean.delta, schema));
    });
  }

  it('buffered rules refuse to exceed maxClients × model bytes', () => {
    expect(
      () => new BufferedAggregator(schema, { rule: 'median', maxClients: 10, maxBufferedBytes: 10 * 72 - 1 }),
    ).toThrow(expect.objectContaining({ code: 'MEMORY_LIMIT' }));
    const ok = new BufferedAggregator(schema, { rule: 'median', maxClients: 2, maxBufferedBytes: 2 * 72 });
    ok.add(honest[0]!);
    ok.add(honest[1]!);
    expect(() => ok.add(honest[2]!)).toThrow(expect.objectContaining({ code: 'TOO_MANY_CLIENTS' }));
  });

  it('Krum refuses to run with K ≤ 2f + 2', () => {
    const agg = createAggregator(schema, { rule: 'krum', byzantine: 2, maxClients: 10 });
    for (const u of honest.slice(0, 6)) agg.add(u);
    expect(() => agg.finish()).toThrow(expect.objectContaining({ code: 'NOT_ENOUGH_CLIENTS' }));
  });
});
