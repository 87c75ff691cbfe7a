import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeBackend } from '@ailo/pipeline/node';
import { describe, expect, it } from 'vitest';
import {
  applyDelta,
  checkSequences,
  createChainLossEvaluator,
  createTrainingLossEvaluator,
  nextTokenLoss,
} from '../src/index';
import { FIXTURES, tinyModel } from './tinyWorld';

describe('held-out loss', () => {
  it('nextTokenLoss: uniform logits give ln V; a confident right guess gives ≈ 0', () => {
    const V = 5;
    const uniform = nextTokenLoss(new Float32Array(2 * 3 * V), V, [
      [0, 1, 2],
      [3, 4, 0],
    ]);
    expect(uniform.count).toBe(4);
    expect(uniform.sum / uniform.count).toBeCloseTo(Math.log(V), 12);
    const logits = new Float32Array(2 * V);
    logits[3] = 100; // position 0 predicts token 3
    const sure = nextTokenLoss(logits, V, [[1, 3]]);
    expect(sure.count).toBe(1);
    expect(sure.sum).toBeLessThan(1e-40); // log(1 + 4e^-100)
  });

  it('the chain evaluator matches the HF reference logits of the fixture (float64 cross-entropy)', async () => {
    const ref = JSON.parse(readFileSync(join(FIXTURES, 'tiny_distilgpt2_logits.json'), 'utf8')) as {
      sequences: number[][];
      logits: number[][][];
    };
    let sum = 0;
    let count = 0;
    ref.sequences.forEach((seq, s) => {
      for (let t = 0; t + 1 < seq.length; t++) {
        const z = ref.logits[s]![t]!;
        const m = Math.max(...z);
        sum += Math.log(z.reduce((a, x) => a + Math.exp(x - m), 0)) + m - z[seq[t + 1]!]!;
        count++;
      }
    });
    const { config, schema, model } = tinyModel();
    const ev = createChainLossEvaluator({ config, schema, backend: createNodeBackend('cpu'), batchSize: 2 });
    // mixed lengths are grouped by length; the mean is over every predicted token
    const loss = await ev.loss(model, ref.sequences);
    expect(Math.abs(loss - sum / count)).toBeLessThan(1e-5);
    const ragged = await ev.loss(model, [ref.sequences[0]!, ref.sequences[1]!.slice(0, 9)]);
    expect(Number.isFinite(ragged)).toBe(true);
    // the evaluator reads the weights it is given: a changed model scores differently
    const shifted = applyDelta(model, new Map([...model].map(([k, v]) => [k, v.map(() => 0.05)])), schema, 1);
    expect(await ev.loss(shifted, ref.sequences)).not.toBeCloseTo(loss, 6);
  });

  it('the training-graph evaluator (compiled once, float32 loss in the graph) agrees with the float64 reference', async () => {
    const { config, schema, model } = tinyModel();
    const backend = createNodeBackend('cpu');
    const reference = createChainLossEvaluator({ config, schema, backend });
    const fast = createTrainingLossEvaluator({ config, schema, backend, batchSize: 2 });
    const seqs = [
      [0, 7, 2, 9, 4, 11, 6, 1, 8, 3, 10, 5, 0, 7, 2, 9],
      [4, 11, 6, 1, 8, 3, 10, 5, 0, 7],
      [10, 5, 0, 7, 2, 9, 4, 11, 6, 1],
      [3, 3, 3, 3, 3, 3, 3, 3, 3, 3],
      [1, 2],
    ];
    for (const scale of [0, 0.3]) {
      const m = applyDelta(
        model,
        new Map([...model].map(([k, v]) => [k, v.map((_, i) => Math.sin(i))])),
        schema,
        scale,
      );
      const a = await reference.loss(m, seqs);
      const b = await fast.loss(m, seqs);
      expect(Math.abs(a - b)).toBeLessThan(1e-5 * a);
    }
    await expect(fast.loss(model, [[1, 99]])).rejects.toMatchObject({ code: 'INVALID_VALIDATION_SET' });
  });

  it('unscorable validation sets are INVALID_VALIDATION_SET', async () => {
    const { config, schema, model } = tinyModel();
    for (const bad of [[], [[1]], [Array(17).fill(1)], [[1, 12]], [[1, -1]], [[1, 1.5]]]) {
      expect(() => checkSequences(bad, config)).toThrow(
        expect.objectContaining({ code: 'INVALID_VALIDATION_SET' }),
      );
    }
    const ev = createChainLossEvaluator({ config, schema, backend: createNodeBackend('cpu') });
    await expect(ev.loss(model, [[1, 99]])).rejects.toMatchObject({ code: 'INVALID_VALIDATION_SET' });
    await expect(ev.loss(new Map(), [[1, 2]])).rejects.toMatchObject({ code: 'INVALID_INPUT' });
    expect(() =>
      createChainLossEvaluator({ config, schema, backend: createNodeBackend('cpu'), batchSize: 0 }),
    ).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
  });
});
