import { expect, it } from 'vitest';
import { initializeWeights, parseHfConfig, textDataset, trainLocal } from '../src/index';
import { createNodeBackend, loadBrownCorpus } from '../src/node';

it('README training example runs', async () => {
  const lines: string[] = [];
  const log = (s: string) => lines.push(s);
  // --- README example (console.log → log) ---
  const config = parseHfConfig({
    model_type: 'gpt2',
    n_layer: 2,
    n_head: 4,
    n_embd: 64,
    n_positions: 64,
    vocab_size: 50257,
  });
  const weights = initializeWeights(config, 0);
  const texts = loadBrownCorpus({ genres: ['humor'] }).map((d) => d.text);
  const data = textDataset(texts, { seq: 32, batchSize: 2, seed: 1 });
  const { update, numSamples, metrics } = await trainLocal({
    model: { config, weights },
    batches: data.train.slice(0, 4),
    optimizer: { lr: 3e-3, warmupSteps: 2 },
    backend: createNodeBackend('cpu'),
    onProgress: (p) => log(`step ${p.step}/${p.totalSteps} loss ${p.loss.toFixed(3)}`),
  });
  log(`${numSamples} sequences, loss ${metrics.firstLoss.toFixed(2)} → ${metrics.lastLoss.toFixed(2)}`);
  // update: M_start − M_end per HF tensor name, the FedAvg pseudo-gradient
  log(`${update.size} tensors in the update`);
  // --- end ---
  expect(lines).toHaveLength(6);
  expect(lines[0]).toMatch(/^step 1\/4 loss 10\.8/);
  expect(numSamples).toBe(8);
  expect(metrics.lastLoss).toBeLessThan(metrics.firstLoss);
  expect(update.size).toBe(weights.size);
});
