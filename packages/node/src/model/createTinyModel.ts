import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { initializeWeights, type ModelConfig } from '@ailo/pipeline';
import { makeModelConfig } from '@ailo/virtual-tensor';
import { writeHfModel } from './writeHfModel';

/** Shape of a tiny GPT-2-architecture model (GPT-2 BPE vocabulary). */
export interface TinyModelShape {
  layers: number;
  /** d_model */
  hidden: number;
  heads: number;
  /** tokens */
  context: number;
}

/** GPT-2 BPE vocabulary size (`r50k_base`). */
export const GPT2_VOCAB = 50257;

/** The config of a tiny GPT-2 with the GPT-2 vocabulary. */
export function tinyGpt2Config(s: TinyModelShape): ModelConfig {
  return makeModelConfig({
    architecture: 'gpt2',
    numLayers: s.layers,
    hiddenSize: s.hidden,
    numHeads: s.heads,
    vocabSize: GPT2_VOCAB,
    maxPositions: s.context,
  });
}

/**
 * Writes a randomly initialised tiny GPT-2 as an HF directory in `dir`
 * unless one is already there (then it is kept: a trained model survives
 * restarts). Returns whether it was created.
 */
export function createTinyModel(dir: string, s: TinyModelShape, seed = 0): boolean {
  if (existsSync(join(dir, 'config.json'))) return false;
  const config = tinyGpt2Config(s);
  writeHfModel(dir, config, initializeWeights(config, seed));
  return true;
}
