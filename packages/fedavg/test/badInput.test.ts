import { describe, expect, it } from 'vitest';
import { checkUpdate } from '../src/checkUpdate';
import { type AggregatorOptions, createAggregator } from '../src/createAggregator';
import { StreamingAggregator } from '../src/StreamingAggregator';
import type { ClientUpdate } from '../src/types';
import { flat, randomUpdate } from './updateFactory';

// 'z' comes last: a bad value there would expose any partial fold of 'a'
const schema = new Map<string, number[]>([
  ['a', [2, 3]],
  ['z', [4]],
]);
const good = () => randomUpdate(schema, 5, 3);
const withTensor = (name: string, value: unknown): ClientUpdate => {
  const u = good();
  const delta = new Map(u.delta) as Map<string, unknown>;
  delta.set(name, value);
  return { ...u, delta: delta as Map<string, Float32Array> };
};
const withValue = (v: number): ClientUpdate => {
  const u = good();
  u.delta.get('z')![3] = v;
  return u;
};

const TABLE: [string, ClientUpdate, string][] = [
  ['missing tensor', { numSamples: 1, delta: new Map([['a', new Float32Array(6)]]) }, 'NAME_MISMATCH'],
  ['extra tensor', withTensor('extra', new Float32Array(1)), 'NAME_MISMATCH'],
  ['delta not a Map', { numSamples: 1, delta: {} as never }, 'NAME_MISMATCH'],
  ['Float64Array tensor', withTensor('z', new Float64Array(4)), 'DTYPE_MISMATCH'],
  ['Int32Array tensor', withTensor('z', new Int32Array(4)), 'DTYPE_MISMATCH'],
  ['plain array tensor', withTensor('z', [0, 0, 0, 0]), 'DTYPE_MISMATCH'],
  ['undefined tensor', withTensor('z', undefined), 'DTYPE_MISMATCH'],
  ['too few elements', withTensor('z', new Float32Array(3)), 'SHAPE_MISMATCH'],
  ['too many elements', withTensor('a', new Float32Array(7)), 'SHAPE_MISMATCH'],
  [
    'declared shape transposed',
    {
      ...good(),
      shapes: new Map([
        ['a', [3, 2]],
        ['z', [4]],
      ]),
    },
    'SHAPE_MISMATCH',
  ],
  ['declared shape missing', { ...good(), shapes: new Map([['a', [2, 3]]]) }, 'SHAPE_MISMATCH'],
  ['NaN', withValue(Number.NaN), 'NON_FINITE'],
  ['+Infinity', withValue(Number.POSITIVE_INFINITY), 'NON_FINITE'],
  ['−Infinity', withValue(Number.NEGATIVE_INFINITY), 'NON_FINITE'],
  ['n_k = 0', { ...good(), numSamples: 0 }, 'INVALID_NUM_SAMPLES'],
  ['n_k < 0', { ...good(), numSamples: -5 }, 'INVALID_NUM_SAMPLES'],
  ['n_k fractional', { ...good(), numSamples: 2.5 }, 'INVALID_NUM_SAMPLES'],
  ['n_k NaN', { ...good(), numSamples: Number.NaN }, 'INVALID_NUM_SAMPLES'],
  ['n_k Infinity', { ...good(), numSamples: Number.POSITIVE_INFINITY }, 'INVALID_NUM_SAMPLES'],
  ['n_k above 2^53', { ...good(), numSamples: 2 ** 53 + 2 }, 'INVALID_NUM_SAMPLES'],
  ['n_k string', { ...good(), numSamples: '3' as never }, 'INVALID_NUM_SAMPLES'],
];

const RULES: AggregatorOptions[] = [
  { rule: 'fedavg' },
  { rule: 'fedavg', precision: 'f64' },
  { rule: 'fedavg', fold: 'two-pass' },
  { rule: 'fedavg', clipNorm: 100 },
  { rule: 'fedavg', precision: 'f64', backend: 'js' },
  { rule: 'trimmed-mean', maxClients: 4 },
  { rule: 'median', maxClients: 4 },
  { rule: 'krum', byzantine: 0, maxClients: 4 },
];

describe('hostile updates', () => {
  for (const [label, update, code] of TABLE) {
    it(`${label} → ${code}; no aggregator is changed`, () => {
      expect(() => checkUpdate(schema, update)).toThrow(
        expect.objectContaining({ name: 'FedAvgError', code }),
      );
      for (const opts of RULES) {
        const agg = createAggregator(schema, opts);
        agg.add(randomUpdate(schema, 1));
        agg.add(randomUpdate(schema, 2));
        expect(() => agg.add(update)).toThrow(expect.objectContaining({ code }));
        expect(agg.clients).toBe(2);
        agg.add(randomUpdate(schema, 3));
        const ref = createAggregator(schema, opts);
        for (const s of [1, 2, 3]) ref.add(randomUpdate(schema, s));
        expect(flat(agg.finish().delta, schema)).toEqual(flat(ref.finish().delta, schema));
      }
    });
  }

  it('errors carry shortMessage, details and meta', () => {
    try {
      checkUpdate(schema, withTensor('z', new Float32Array(3)));
      expect.unreachable();
    } catch (e) {
      expect(e).toMatchObject({
        name: 'FedAvgError',
        code: 'SHAPE_MISMATCH',
        shortMessage: expect.stringContaining('"z"'),
        details: expect.stringContaining('holds 4 elements'),
        meta: { tensor: 'z', expected: 4, actual: 3 },
      });
    }
  });

  it('invalid schemas and options are refused', () => {
    expect(() => new StreamingAggregator(new Map([['w', [-1]]]))).toThrow(
      expect.objectContaining({ code: 'INVALID_SCHEMA' }),
    );
    expect(() => new StreamingAggregator(new Map([['w', [1.5]]]))).toThrow(
      expect.objectContaining({ code: 'INVALID_SCHEMA' }),
    );
    expect(() => new StreamingAggregator(new Map([['', [1]]]))).toThrow(
      expect.objectContaining({ code: 'INVALID_SCHEMA' }),
    );
    const bad: AggregatorOptions[] = [
      { precision: 'f16' as never },
      { weighting: 'loss' as never },
      { fold: 'lazy' as never },
      { rule: 'mean' as never },
      { rule: 'trimmed-mean', trim: 0.5, maxClients: 3 },
      { rule: 'trimmed-mean', trim: -0.1, maxClients: 3 },
      { rule: 'median', maxClients: 0 },
      { rule: 'krum', byzantine: -1, maxClients: 3 },
      { rule: 'krum', byzantine: 1, select: 0, maxClients: 3 },
    ];
    for (const o of bad)
      expect(() => createAggregator(schema, o)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION' }));
  });

  it('refuses an update that would push Σ n_k past 2^53 − 1', () => {
    for (const opts of RULES) {
      const agg = createAggregator(schema, opts);
      agg.add({ ...good(), numSamples: 2 ** 52 });
      expect(() => agg.add({ ...good(), numSamples: 2 ** 52 })).toThrow(
        expect.objectContaining({ code: 'INVALID_NUM_SAMPLES' }),
      );
      expect(agg.clients).toBe(1);
      expect(agg.numSamples).toBe(2 ** 52);
    }
  });

  it('an empty aggregate is an error, and a finished aggregator is closed', () => {
    const agg = createAggregator(schema);
    expect(() => agg.finish()).toThrow(expect.objectContaining({ code: 'EMPTY_AGGREGATE' }));
    agg.add(good());
    agg.finish();
    expect(() => agg.add(good())).toThrow(expect.objectContaining({ code: 'ROUND_CLOSED' }));
    expect(() => agg.finish()).toThrow(expect.objectContaining({ code: 'ROUND_CLOSED' }));
  });

  it('an update checked against another schema object is re-checked', () => {
    const other = new Map([['a', [6]]]);
    const checked = checkUpdate(other, { numSamples: 1, delta: new Map([['a', new Float32Array(6)]]) });
    const agg = createAggregator(schema);
    expect(() => agg.add(checked)).toThrow(expect.objectContaining({ code: 'NAME_MISMATCH' }));
  });
});
