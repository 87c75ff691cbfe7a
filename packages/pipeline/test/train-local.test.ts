import { describe, expect, it } from 'vitest';
import {
  type Backend,
  LocalTrainer,
  type LocalTrainingOptions,
  seededShuffle,
  type TokenBatch,
  type TrainingProgress,
  trainLocal,
} from '../src/index';
import { createNodeBackend } from '../src/node';
import { loadFixture } from './fixtures';

const fx = loadFixture('gpt2');
const S = 16;
const BATCHES: TokenBatch[] = fx.sequences.map((s) => ({ ids: s, batch: 1, seq: S }));
const base = (): LocalTrainingOptions => ({
  model: { config: fx.config, weights: fx.weights },
  batches: BATCHES,
  optimizer: { lr: 1e-2, warmupSteps: 1 },
  backend: createNodeBackend('cpu'),
});
const snapshot = () => new Map([...fx.weights].map(([k, w]) => [k, Float32Array.from(w.data)]));
const code = (c: string) => expect.objectContaining({ name: 'PipelineError', code: c });

describe('trainLocal', () => {
  it('returns update = M_start − M_end, sample count, metrics and progress; the input model is untouched', async () => {
    const before = snapshot();
    const events: TrainingProgress[] = [];
    const r = await trainLocal({ ...base(), epochs: 2, onProgress: (p) => events.push(p) });
    expect(r.numSamples).toBe(3);
    expect(r.metrics.steps).toBe(6);
    expect(events.map((e) => e.step)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(events.map((e) => e.epoch)).toEqual([0, 0, 0, 1, 1, 1]);
    expect(events[0]!.lr).toBeCloseTo(1e-2, 9); // one warmup step reaches the peak
    // cosine from the peak towards the 10 % floor, reached at step 6: step index 5 is 80 % of the way
    expect(events[5]!.lr).toBeCloseTo(1e-3 + 9e-3 * 0.5 * (1 + Math.cos(0.8 * Math.PI)), 12);
    expect(events[5]!.tokens).toBe(6 * 15);
    for (const [k, w] of fx.weights) {
      expect(w.data).toEqual(before.get(k));
      const end = r.weights.get(k)!.data;
      const u = r.update.get(k)!;
      for (let i = 0; i < u.length; i++) expect(u[i]).toBe(Math.fround(w.data[i]! - end[i]!));
    }
    expect(Math.max(...[...r.update.values()].map((u) => Math.max(...u.map(Math.abs))))).toBeGreaterThan(
      1e-3,
    );
    expect(r.metrics.lastLoss).toBeLessThan(r.metrics.firstLoss);
  });

  it('compiles one training session and reuses it for every step (weights are graph inputs)', async () => {
    const cpu = createNodeBackend('cpu');
    let compiles = 0;
    const counting: Backend = {
      name: 'cpu',
      compile: (g) => {
        compiles++;
        return cpu.compile(g);
      },
    };
    const r = await trainLocal({ ...base(), epochs: 3, backend: counting });
    expect(r.metrics.steps).toBe(9);
    expect(compiles).toBe(1);
  });

  it('shuffles batch order deterministically by seed', async () => {
    // seed 1 orders the 3 batches [2, 0, 1]
    expect(seededShuffle([0, 1, 2], 1)).toEqual([2, 0, 1]);
    const a = await trainLocal({ ...base(), seed: 1 });
    const b = await trainLocal({ ...base(), seed: 1 });
    const c = await trainLocal({ ...base() });
    expect(a.metrics.losses).toEqual(b.metrics.losses);
    expect(a.metrics.losses).not.toEqual(c.metrics.losses);
  });

  it('is cancellable through an AbortSignal', async () => {
    const ac = new AbortController();
    const run = trainLocal({
      ...base(),
      epochs: 3,
      signal: ac.signal,
      onProgress: (p) => p.step === 2 && ac.abort(),
    });
    await expect(run).rejects.toThrow(code('cancelled'));
  });
});

describe('trainLocal bad input', () => {
  it('targets out of the vocabulary', async () => {
    const batches = [{ ids: [1, 2, 12, 3], batch: 1, seq: 4 }];
    await expect(trainLocal({ ...base(), batches })).rejects.toThrow(code('token_out_of_range'));
    await expect(trainLocal({ ...base(), batches: [{ ids: [1, -1], batch: 1, seq: 2 }] })).rejects.toThrow(
      code('token_out_of_range'),
    );
  });

  it('an all-padding batch', async () => {
    const batches = [...BATCHES, { ids: [1, 2, 3, 4], batch: 1, seq: 4, mask: new Uint8Array(4) }];
    await expect(trainLocal({ ...base(), batches })).rejects.toThrow(code('empty_input'));
    // one real token per row is no next-token target either
    const single = [{ ids: [1, 2, 3, 4], batch: 2, seq: 2, mask: Uint8Array.from([1, 0, 0, 1]) }];
    await expect(trainLocal({ ...base(), batches: single })).rejects.toThrow(code('empty_input'));
  });

  it('learning rate <= 0 or not finite', async () => {
    for (const lr of [0, -1e-3, Number.NaN, Number.POSITIVE_INFINITY]) {
      await expect(trainLocal({ ...base(), optimizer: { lr } })).rejects.toThrow(code('bad_input'));
    }
  });

  it('other invalid options', async () => {
    await expect(trainLocal({ ...base(), epochs: 0 })).rejects.toThrow(code('bad_input'));
    await expect(trainLocal({ ...base(), optimizer: { lr: 1e-3, accumulationSteps: 0 } })).rejects.toThrow(
      code('bad_input'),
    );
    await expect(trainLocal({ ...base(), optimizer: { lr: 1e-3, beta2: 1 } })).rejects.toThrow(
      code('bad_input'),
    );
    await expect(trainLocal({ ...base(), batches: [{ ids: [1, 2, 3], batch: 1, seq: 4 }] })).rejects.toThrow(
      code('bad_input'),
    );
    await expect(
      trainLocal({ ...base(), batches: [{ ids: new Array(17).fill(1), batch: 1, seq: 17 }] }),
    ).rejects.toThrow(code('context_overflow'));
  });

  it('an empty dataset', async () => {
    await expect(trainLocal({ ...base(), batches: [] })).rejects.toThrow(code('empty_input'));
  });

  it('NaN in the weights surfaces as non_finite', async () => {
    const weights = new Map(fx.weights);
    const w = fx.weights.get('transformer.h.0.mlp.c_fc.weight')!;
    const data = Float32Array.from(w.data);
    data[3] = Number.NaN;
    weights.set('transformer.h.0.mlp.c_fc.weight', { shape: w.shape, data });
    await expect(trainLocal({ ...base(), model: { config: fx.config, weights } })).rejects.toThrow(
      code('non_finite'),
    );
  });

  it('NaN appearing in a gradient mid-training stops before the weights change', async () => {
    const cpu = createNodeBackend('cpu');
    let runs = 0;
    // a backend whose second training run returns a NaN gradient
    const faulty: Backend = {
      name: 'cpu',
      async compile(graph) {
        const c = await cpu.compile(graph);
        return {
          async run(feeds) {
            const out = await c.run(feeds);
            if (++runs === 2) (out['grad.transformer.ln_f.weight']!.data as Float32Array)[0] = Number.NaN;
            return out;
          },
          dispose: () => c.dispose(),
        };
      },
    };
    const t = new LocalTrainer({
      config: fx.config,
      weights: fx.weights,
      backend: faulty,
      optimizer: { lr: 1e-2 },
    });
    await t.step([BATCHES[0]!]);
    const after1 = new Map([...t.weights].map(([k, w]) => [k, Float32Array.from(w.data)]));
    await expect(t.step([BATCHES[1]!])).rejects.toThrow(code('non_finite'));
    for (const [k, w] of t.weights) expect(w.data).toEqual(after1.get(k));
    expect(t.steps).toBe(1);
  });
});
