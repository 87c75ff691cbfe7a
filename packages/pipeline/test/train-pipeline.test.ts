import { makeModelConfig } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import {
  type GradArray,
  initializeWeights,
  type LayerSpan,
  type TokenBatch,
  TrainingPipeline,
  trainLocal,
} from '../src/index';
import { createNodeBackend } from '../src/node';

const CONFIGS = {
  gpt2: makeModelConfig({
    architecture: 'gpt2',
    numLayers: 3,
    hiddenSize: 8,
    numHeads: 2,
    vocabSize: 12,
    maxPositions: 16,
  }),
  qwen2: makeModelConfig({
    architecture: 'qwen2',
    numLayers: 3,
    hiddenSize: 8,
    numHeads: 2,
    numKvHeads: 1,
    intermediateSize: 12,
    vocabSize: 12,
    maxPositions: 16,
    tieWordEmbeddings: false,
  }),
  llama: makeModelConfig({
    architecture: 'llama',
    numLayers: 3,
    hiddenSize: 8,
    numHeads: 4,
    numKvHeads: 2,
    intermediateSize: 12,
    vocabSize: 12,
    maxPositions: 16,
    tieWordEmbeddings: true,
  }),
};

const SPLITS: Record<string, LayerSpan[]> = {
  '1 stage': [{ start: 0, end: 3 }],
  '2 stages': [
    { start: 0, end: 1 },
    { start: 1, end: 3 },
  ],
  '3 stages': [
    { start: 0, end: 1 },
    { start: 1, end: 2 },
    { start: 2, end: 3 },
  ],
};

const mask = new Uint8Array(2 * 10).fill(1).fill(0, 17);
const BATCH: TokenBatch = {
  ids: Array.from({ length: 20 }, (_, i) => (i * 5 + 3) % 12),
  batch: 2,
  seq: 10,
  mask,
};

function relToLargest(a: Map<string, GradArray>, b: Map<string, GradArray>): number {
  let err = 0;
  let scale = 0;
  expect([...a.keys()].sort()).toEqual([...b.keys()].sort());
  for (const [k, gb] of b) {
    const ga = a.get(k)!;
    for (let i = 0; i < gb.length; i++) {
      err = Math.max(err, Math.abs(ga[i]! - gb[i]!));
      scale = Math.max(scale, Math.abs(gb[i]!));
    }
  }
  return err / scale;
}

// gpt2: tied head across the first and last stage; qwen2: untied head, GQA, q/k/v bias; llama: tied, no bias
describe.each(Object.keys(CONFIGS) as (keyof typeof CONFIGS)[])('pipeline training: %s, 3 layers', (arch) => {
  const config = CONFIGS[arch];
  // a larger init than GPT-2's 0.02 so every layer contributes visibly
  const weights = initializeWeights({ ...config }, 7);
  for (const w of weights.values())
    if (w.shape.length > 1) for (let i = 0; i < w.data.length; i++) w.data[i]! *= 20;

  it.each([
    ['ref', 1e-12],
    ['cpu', 1e-5],
  ] as const)('2 and 3 stages give the 1-stage loss and gradients on %s', async (backend, tol) => {
    const be = createNodeBackend(backend);
    const one = await new TrainingPipeline({ config, weights, backend: be }).gradients(weights, BATCH);
    for (const split of ['2 stages', '3 stages']) {
      const p = new TrainingPipeline({ config, weights, backend: be, spans: SPLITS[split]! });
      const r = await p.gradients(weights, BATCH);
      expect(Math.abs(r.loss - one.loss) / one.loss, split).toBeLessThanOrEqual(tol);
      expect(relToLargest(r.grads, one.grads), split).toBeLessThanOrEqual(tol);
      await p.dispose();
    }
  });

  it('trainLocal over 3 stages produces the 1-stage update (ref, 2 AdamW steps of 2 accumulated batches)', async () => {
    const run = (stages: LayerSpan[]) =>
      trainLocal({
        model: { config, weights },
        batches: [BATCH, BATCH],
        epochs: 2,
        optimizer: { lr: 1e-2, accumulationSteps: 2, warmupSteps: 1 },
        backend: createNodeBackend('ref'),
        stages,
      });
    const a = await run(SPLITS['1 stage']!);
    const b = await run(SPLITS['3 stages']!);
    expect(a.metrics.steps).toBe(2);
    expect(b.metrics.losses).toEqual(a.metrics.losses.map((l) => expect.closeTo(l, 12)));
    expect(relToLargest(b.update, a.update)).toBeLessThanOrEqual(1e-5);
  });
});

describe('pipeline spans', () => {
  it('rejects spans that do not tile the model', () => {
    const config = CONFIGS.gpt2;
    const weights = initializeWeights(config, 1);
    const bad = [
      [{ start: 0, end: 2 }],
      [
        { start: 0, end: 1 },
        { start: 2, end: 3 },
      ],
      [{ start: 1, end: 3 }],
    ];
    for (const spans of bad) {
      expect(
        () => new TrainingPipeline({ config, weights, backend: createNodeBackend('ref'), spans }),
      ).toThrow(expect.objectContaining({ code: 'bad_input' }));
    }
  });
});
