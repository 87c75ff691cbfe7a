import { type ModelConfig, makeModelConfig } from './modelConfig';

/**
 * Named model configs. `ailo-840m` is the reference model of the original
 * network (GPT-2 style, 24 × 1600, FFN 6400, 25 heads, vocab 50257, context 2048).
 */
export const PRESETS = {
  'ailo-840m': () =>
    makeModelConfig({
      architecture: 'gpt2',
      numLayers: 24,
      hiddenSize: 1600,
      numHeads: 25,
      intermediateSize: 6400,
      vocabSize: 50257,
      maxPositions: 2048,
    }),
  gpt2: () =>
    makeModelConfig({
      architecture: 'gpt2',
      numLayers: 12,
      hiddenSize: 768,
      numHeads: 12,
      vocabSize: 50257,
      maxPositions: 1024,
    }),
  distilgpt2: () =>
    makeModelConfig({
      architecture: 'gpt2',
      numLayers: 6,
      hiddenSize: 768,
      numHeads: 12,
      vocabSize: 50257,
      maxPositions: 1024,
    }),
} satisfies Record<string, () => ModelConfig>;

/** Name of a built-in preset. */
export type PresetName = keyof typeof PRESETS;

/** Names of the built-in presets. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Returns a fresh config for a preset, or undefined for an unknown name. */
export function presetConfig(name: string): ModelConfig | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName]() : undefined;
}
