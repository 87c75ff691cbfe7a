/**
 * A small federated world for the tests: the tiny GPT-2 fixture (vocab 12, 16 positions) and
 * synthetic non-IID token data. Every client's sequences follow a shared rule
 * (next = 7·prev + 3 mod 12) most of the time and its own rule (next = prev + k + 1) otherwise;
 * the coordinator's held-out pool follows the shared rule, so honest training lowers its loss.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SeededRng } from '@ailo/fedavg';
import { type ModelConfig, parseHfConfig, weightsFromSafetensors } from '@ailo/pipeline';
import { modelTensors } from '@ailo/virtual-tensor';

export const FIXTURES = join(import.meta.dirname, '../../../../shared/fixtures/hf-tiny');

/** The distilgpt2 slice ships without config.json; these are its hyper-parameters (fixture README). */
export const TINY_GPT2_HF_CONFIG = {
  model_type: 'gpt2',
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 16,
  vocab_size: 12,
  n_inner: 32,
  layer_norm_epsilon: 1e-5,
};

export interface TinyModel {
  config: ModelConfig;
  schema: Map<string, number[]>;
  model: Map<string, Float32Array>;
}

/** A randomly initialised GPT-2 (HF-style: matrices N(0, 0.02²), norms 1, biases 0), deterministic for `seed`. */
export function randomGpt2(hf: Record<string, unknown>, seed = 1): TinyModel {
  const config = parseHfConfig(hf);
  const rng = new SeededRng(seed);
  const schema = new Map<string, number[]>();
  const model = new Map<string, Float32Array>();
  for (const t of modelTensors(config)) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const x = new Float32Array(n);
    if (t.shape.length === 1 && /(ln_\d|ln_f)\.weight$/.test(t.name)) x.fill(1);
    else if (t.shape.length > 1) for (let i = 0; i < n; i++) x[i] = 0.02 * rng.nextGaussian();
    schema.set(t.name, [...t.shape]);
    model.set(t.name, x);
  }
  return { config, schema, model };
}

export function tinyModel(): TinyModel {
  const config = parseHfConfig(TINY_GPT2_HF_CONFIG);
  const weights = weightsFromSafetensors([
    new Uint8Array(readFileSync(join(FIXTURES, 'tiny_distilgpt2.safetensors'))),
  ]);
  const schema = new Map<string, number[]>();
  const model = new Map<string, Float32Array>();
  for (const [name, w] of weights) {
    schema.set(name, [...w.shape]);
    model.set(name, Float32Array.from(w.data));
  }
  return { config, schema, model };
}

export const SEQ = 16;
export const VOCAB = 12;

/** Zipf weights over the vocabulary, p(v) ∝ 1 / (v + 1). */
const ZIPF = Array.from({ length: VOCAB }, (_, v) => 1 / (v + 1));
const ZIPF_SUM = ZIPF.reduce((a, b) => a + b, 0);

function zipf(rng: SeededRng): number {
  let u = rng.nextFloat() * ZIPF_SUM;
  for (let v = 0; v < VOCAB; v++) {
    u -= ZIPF[v]!;
    if (u <= 0) return v;
  }
  return VOCAB - 1;
}

/**
 * `count` sequences of SEQ tokens. Each next token is the successor (prev + 1 mod 12) with
 * probability `shared`, the client's own favourite token (client mod 12) with probability
 * `own`, else a Zipf draw. `client: null` draws the coordinator's distribution (no favourite).
 */
export function sequences(
  seed: string,
  count: number,
  client: number | null,
  shared = 0.5,
  own = 0.2,
): number[][] {
  const rng = new SeededRng(seed);
  const out: number[][] = [];
  for (let s = 0; s < count; s++) {
    const row = [zipf(rng)];
    while (row.length < SEQ) {
      const prev = row[row.length - 1]!;
      const u = rng.nextFloat();
      if (u < shared) row.push((prev + 1) % VOCAB);
      else if (client !== null && u < shared + own) row.push(client % VOCAB);
      else row.push(zipf(rng));
    }
    out.push(row);
  }
  return out;
}

/** The coordinator's held-out pool (never shown to clients). */
export function validationPool(count = 32): number[][] {
  return sequences('validation-pool', count, null, 0.5, 0);
}
