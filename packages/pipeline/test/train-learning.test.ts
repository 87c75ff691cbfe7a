import { makeModelConfig } from '@ailo/virtual-tensor';
import { describe, expect, it } from 'vitest';
import { initializeWeights, LocalTrainer, textDataset } from '../src/index';
import { createNodeBackend, loadBrownCorpus } from '../src/node';

// A tiny GPT-2 (4 layers, d_model 128, 4 heads) trained from scratch on the
// Brown "news" genre; loss is measured on held-out sequences of the same genre.
const news = loadBrownCorpus({ genres: ['news'] }).map((d) => d.text);
const bytes = (t: string) => Array.from(new TextEncoder().encode(t));

async function run(opts: {
  vocab: number;
  seq: number;
  batch: number;
  steps: number;
  lr: number;
  tokenize?: (t: string) => number[];
}) {
  const config = makeModelConfig({
    architecture: 'gpt2',
    numLayers: 4,
    hiddenSize: 128,
    numHeads: 4,
    vocabSize: opts.vocab,
    maxPositions: opts.seq,
  });
  const data = textDataset(news, {
    seq: opts.seq,
    batchSize: opts.batch,
    seed: 1,
    heldOutFraction: 0.05,
    ...(opts.tokenize ? { tokenize: opts.tokenize, separator: null } : {}),
  });
  const trainer = new LocalTrainer({
    config,
    weights: initializeWeights(config, 1),
    backend: createNodeBackend('cpu'),
    optimizer: { lr: opts.lr, warmupSteps: 10, totalSteps: opts.steps },
  });
  const heldOut = data.heldOut.slice(0, 4);
  const before = await trainer.evaluate(heldOut);
  for (let s = 0; s < opts.steps; s++) await trainer.step([data.train[s % data.train.length]!]);
  const after = await trainer.evaluate(heldOut);
  await trainer.dispose();
  return { before, after };
}

describe('learning works', () => {
  // measured: 5.55 → 2.83
  it('byte-level vocab 256, batch 4 × 64, 200 steps: held-out loss 5.55 → below 3.3', async () => {
    const r = await run({ vocab: 256, seq: 64, batch: 4, steps: 200, lr: 3e-3, tokenize: bytes });
    expect(r.before).toBeCloseTo(Math.log(256), 1);
    expect(r.after).toBeLessThan(3.3);
  }, 90_000);

  // measured: 10.85 → 8.34
  it('GPT-2 BPE vocab 50257, batch 4 × 32, 20 steps: held-out loss 10.8 → below 9.5', async () => {
    const r = await run({ vocab: 50257, seq: 32, batch: 4, steps: 20, lr: 3e-3 });
    expect(r.before).toBeCloseTo(Math.log(50257), 1);
    expect(r.after).toBeLessThan(9.5);
  }, 90_000);
});
