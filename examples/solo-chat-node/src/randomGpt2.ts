import type { ModelConfig, Weight } from '@ailo/pipeline';
import { makeModelConfig, modelTensors } from '@ailo/virtual-tensor';

/** A GPT-2-architecture model with random weights and the real GPT-2 vocabulary. */
export interface RandomModel {
  config: ModelConfig;
  weights: Map<string, Weight>;
}

/**
 * Builds a small GPT-2 (2 layers, d 64, 4 heads, vocab 50257, 128 positions) with
 * deterministic random weights: every tensor of `modelTensors(config)` (HF names and
 * shapes) filled from a linear congruential generator; LayerNorm gains 1, biases 0.
 * Its replies are gibberish — it has never been trained — but every step of real text
 * chat runs: GPT-2 BPE in, sampling, BPE out.
 */
export function randomGpt2(seed = 2024): RandomModel {
  const config = makeModelConfig({
    architecture: 'gpt2',
    numLayers: 2,
    hiddenSize: 64,
    numHeads: 4,
    vocabSize: 50257,
    maxPositions: 128,
  });
  let s = seed >>> 0;
  const weights = new Map<string, Weight>();
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    if (t.shape.length > 1) {
      for (let i = 0; i < n; i++) {
        s = (Math.imul(s, 1103515245) + 12345) >>> 0;
        data[i] = ((s >>> 8) / 2 ** 24 - 0.5) * 0.5; // uniform in [-0.25, 0.25)
      }
    } else if (/ln_(\d|f)\.weight$/.test(t.name)) {
      data.fill(1);
    }
    weights.set(t.name, { shape: [...t.shape], data });
  }
  return { config, weights };
}
