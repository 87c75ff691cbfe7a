import type { TensorSchema } from '@ailo/fedavg';
import { initializeWeights, type ModelConfig, parseHfConfig, type Weight } from '@ailo/pipeline';

/** The round's global model M_t in the three views the packages use. */
export interface GlobalModel {
  config: ModelConfig;
  /** `@ailo/pipeline` view: HF name → { shape, data } */
  weights: Map<string, Weight>;
  /** `@ailo/fedavg` / `@ailo/poc` view: HF name → shape, and HF name → data */
  schema: TensorSchema;
  tensors: Map<string, Float32Array>;
}

/**
 * A tiny GPT-2-architecture model with the real GPT-2 vocabulary (so the clients can train on
 * English text through GPT-2 BPE): 2 layers, d 32, 4 heads, 32 positions, tied head,
 * HF-style random initialisation (deterministic for `seed`). ≈ 1.6M parameters, almost all of
 * them the 50257 × 32 token embedding.
 */
export function tinyGpt2(seed = 0): GlobalModel {
  const config = parseHfConfig({
    model_type: 'gpt2',
    n_layer: 2,
    n_head: 4,
    n_embd: 32,
    n_positions: 32,
    vocab_size: 50257,
  });
  return fromWeights(config, initializeWeights(config, seed));
}

/** The other views of a weight map (arrays are shared, not copied). */
export function fromWeights(config: ModelConfig, weights: Map<string, Weight>): GlobalModel {
  const schema = new Map<string, number[]>();
  const tensors = new Map<string, Float32Array>();
  for (const [name, w] of weights) {
    schema.set(name, w.shape);
    tensors.set(name, w.data);
  }
  return { config, weights, schema, tensors };
}
