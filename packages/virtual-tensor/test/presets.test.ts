import { describe, expect, it } from 'vitest';
import {
  modelConfigFromHf,
  modelTensors,
  PRESET_NAMES,
  parameterCount,
  presetConfig,
  toHfConfig,
} from '../src/index';

// Published parameter counts (model cards / papers), in billions.
const PUBLISHED: Record<string, number> = {
  'qwen2-0.5b': 0.49,
  'qwen1.5-1.8b': 1.84,
  'llama-2-7b': 6.74,
  'llama-2-70b': 68.98,
  'llama-3.1-405b': 405.9,
  gpt2: 0.124,
  distilgpt2: 0.082,
};

describe('presets', () => {
  it.each(Object.entries(PUBLISHED))('%s has its published size (within 1%%)', (name, billions) => {
    const c = presetConfig(name)!;
    expect(c).toBeDefined();
    const p = parameterCount(c);
    expect(Math.abs(p / 1e9 - billions) / billions).toBeLessThan(0.01);
  });

  it('keeps the hub config fields, including Llama 3.1 rope_scaling', () => {
    const c = presetConfig('llama-3.1-405b')!;
    expect(c).toMatchObject({
      architecture: 'llama',
      numLayers: 126,
      hiddenSize: 16384,
      numHeads: 128,
      numKvHeads: 8,
      headDim: 128,
      intermediateSize: 53248,
      vocabSize: 128256,
      maxPositions: 131072,
      ropeTheta: 500000,
      normEps: 1e-5,
      tieWordEmbeddings: false,
      attentionBias: false,
    });
    expect(c.hf['rope_scaling']).toMatchObject({ rope_type: 'llama3', factor: 8 });
    // presets are fresh copies: editing one does not leak into the next
    (c.hf['rope_scaling'] as { factor: number }).factor = 1;
    expect((presetConfig('llama-3.1-405b')!.hf['rope_scaling'] as { factor: number }).factor).toBe(8);
  });

  it('qwen presets are Qwen2-architecture (QKV bias); Qwen2-0.5B ties its head', () => {
    const small = presetConfig('qwen2-0.5b')!;
    expect(small).toMatchObject({
      architecture: 'qwen2',
      numKvHeads: 2,
      headDim: 64,
      tieWordEmbeddings: true,
    });
    expect(modelTensors(small).some((t) => t.name === 'lm_head.weight')).toBe(false);
    const mid = presetConfig('qwen1.5-1.8b')!;
    expect(mid).toMatchObject({
      architecture: 'qwen2',
      numKvHeads: 16,
      ropeTheta: 1e6,
      tieWordEmbeddings: false,
    });
    expect(modelTensors(mid).some((t) => t.name === 'model.layers.0.self_attn.q_proj.bias')).toBe(true);
    expect(presetConfig('llama-2-70b')).toMatchObject({ numLayers: 80, numKvHeads: 8, ropeTheta: 10000 });
  });

  it('every preset round-trips through its synthesised config.json', () => {
    for (const name of PRESET_NAMES) {
      const c = presetConfig(name)!;
      const { hf: _hf, ...rest } = c;
      const again = modelConfigFromHf(toHfConfig(rest));
      const { hf: _hf2, ...restAgain } = again;
      expect(restAgain).toEqual(rest);
    }
    expect(presetConfig('llama-4')).toBeUndefined();
  });
});
