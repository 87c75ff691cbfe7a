import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Weight } from '../src/families/weights';
import { type ModelConfig, parseHfConfig, weightsFromSafetensors } from '../src/index';

export const FIXTURE_DIR = join(import.meta.dirname, '../../../../shared/fixtures/hf-tiny');

export interface Fixture {
  name: string;
  config: ModelConfig;
  weights: Map<string, Weight>;
  sequences: number[][];
  /** [seq][position][vocab] float64 reference logits from HF transformers */
  logits: number[][][];
}

/** The tiny distilgpt2 fixture has no config.json; its README gives the hyper-parameters. */
export const TINY_GPT2_CONFIG = {
  model_type: 'gpt2',
  n_layer: 2,
  n_head: 2,
  n_embd: 8,
  n_positions: 16,
  vocab_size: 12,
  n_inner: 32,
  layer_norm_epsilon: 1e-5,
};

export function loadFixture(name: 'gpt2' | 'qwen2'): Fixture {
  const base = name === 'gpt2' ? 'tiny_distilgpt2' : 'tiny_qwen2';
  const cfgJson =
    name === 'gpt2'
      ? TINY_GPT2_CONFIG
      : JSON.parse(readFileSync(join(FIXTURE_DIR, 'tiny_qwen2_config.json'), 'utf8'));
  const ref = JSON.parse(readFileSync(join(FIXTURE_DIR, `${base}_logits.json`), 'utf8'));
  return {
    name,
    config: parseHfConfig(cfgJson),
    weights: weightsFromSafetensors([new Uint8Array(readFileSync(join(FIXTURE_DIR, `${base}.safetensors`)))]),
    sequences: ref.sequences,
    logits: ref.logits,
  };
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} != ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}
