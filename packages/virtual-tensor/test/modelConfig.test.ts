import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  inferModelConfig,
  makeModelConfig,
  modelConfigFromHf,
  modelTensors,
  parameterCount,
  parseSafetensors,
  toHfConfig,
  VirtualTensorError,
} from '../src/index';

/** ../shared/fixtures beside the repository (see shared/fixtures/hf-tiny/README.md) */
const FIX = new URL('../../../../shared/fixtures/hf-tiny', import.meta.url).pathname;

const code = (fn: () => unknown) => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(VirtualTensorError);
    return (e as VirtualTensorError).code;
  }
};

describe('model config', () => {
  it('reads the tiny_qwen2 config.json and lists exactly its tensors', () => {
    const hf = JSON.parse(readFileSync(`${FIX}/tiny_qwen2_config.json`, 'utf8'));
    const c = modelConfigFromHf(hf);
    expect(c).toMatchObject({
      architecture: 'qwen2',
      numLayers: 2,
      hiddenSize: 8,
      numHeads: 2,
      numKvHeads: 1,
      headDim: 4,
      intermediateSize: 12,
      vocabSize: 12,
      maxPositions: 16,
      normEps: 1e-5,
      ropeTheta: 10000,
      tieWordEmbeddings: false,
      attentionBias: true,
      activation: 'silu',
    });
    expect(c.hf).toEqual(hf);
    const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
    const specs = modelTensors(c);
    expect(specs.map((s) => s.name).sort()).toEqual([...file.tensors.keys()].sort());
    for (const s of specs) expect(file.tensors.get(s.name)!.shape).toEqual(s.shape);
    expect(parameterCount(c)).toBe([...file.tensors.values()].reduce((n, t) => n + t.data.length / 4, 0));
  });

  it('infers the distilgpt2 fixture config from shapes plus the head count', () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_distilgpt2.safetensors`)));
    const shapes = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape }));
    expect(code(() => inferModelConfig('gpt2', shapes))).toBe('CONFIG_INVALID');
    const c = inferModelConfig('gpt2', shapes, { numHeads: 2 });
    expect(c).toMatchObject({
      numLayers: 2,
      hiddenSize: 8,
      numHeads: 2,
      headDim: 4,
      intermediateSize: 32,
      maxPositions: 16,
      vocabSize: 12,
      tieWordEmbeddings: true,
    });
    expect(c.hf).toMatchObject({
      model_type: 'gpt2',
      n_layer: 2,
      n_head: 2,
      n_embd: 8,
      n_inner: 32,
      n_positions: 16,
    });
    expect(
      modelTensors(c)
        .map((s) => s.name)
        .sort(),
    ).toEqual([...file.tensors.keys()].sort());
  });

  it('infers qwen2 from shapes (kv heads, bias, untied head)', () => {
    const file = parseSafetensors(new Uint8Array(readFileSync(`${FIX}/tiny_qwen2.safetensors`)));
    const shapes = [...file.tensors].map(([name, t]) => ({ name, shape: t.shape }));
    const c = inferModelConfig('qwen2', shapes, { numHeads: 2 });
    expect(c).toMatchObject({
      numKvHeads: 1,
      headDim: 4,
      attentionBias: true,
      tieWordEmbeddings: false,
      intermediateSize: 12,
    });
  });

  it('reads GPT-2 and Llama style HF configs', () => {
    const g = modelConfigFromHf({
      model_type: 'gpt2',
      n_layer: 12,
      n_embd: 768,
      n_head: 12,
      vocab_size: 50257,
      n_positions: 1024,
      n_inner: null,
    });
    expect(g).toMatchObject({ intermediateSize: 3072, tieWordEmbeddings: true, activation: 'gelu_new' });
    expect(parameterCount(g)).toBe(124_439_808);
    const l = modelConfigFromHf({
      architectures: ['LlamaForCausalLM'],
      hidden_size: 64,
      num_hidden_layers: 2,
      num_attention_heads: 4,
      num_key_value_heads: 2,
      intermediate_size: 128,
      vocab_size: 100,
      max_position_embeddings: 128,
      rms_norm_eps: 1e-6,
    });
    expect(l).toMatchObject({
      architecture: 'llama',
      attentionBias: false,
      numKvHeads: 2,
      headDim: 16,
      tieWordEmbeddings: false,
    });
    expect(modelTensors(l).some((t) => t.name.endsWith('q_proj.bias'))).toBe(false);
    expect(modelConfigFromHf(toHfConfig(l))).toMatchObject({ ...l, hf: expect.any(Object) });
  });

  it('rejects unsupported or inconsistent configs', () => {
    expect(code(() => modelConfigFromHf({ model_type: 'bert' }))).toBe('CONFIG_INVALID');
    expect(code(() => modelConfigFromHf({ model_type: 'gpt2', n_layer: 2, n_embd: 8, vocab_size: 12 }))).toBe(
      'CONFIG_INVALID',
    );
    expect(
      code(() =>
        makeModelConfig({ architecture: 'gpt2', numLayers: 2, hiddenSize: 10, numHeads: 3, vocabSize: 5 }),
      ),
    ).toBe('CONFIG_INVALID');
    expect(
      code(() =>
        makeModelConfig({
          architecture: 'llama',
          numLayers: 2,
          hiddenSize: 8,
          numHeads: 3,
          numKvHeads: 2,
          headDim: 4,
          vocabSize: 5,
        }),
      ),
    ).toBe('CONFIG_INVALID');
    expect(
      code(() =>
        makeModelConfig({ architecture: 'gpt2', numLayers: 0, hiddenSize: 8, numHeads: 2, vocabSize: 5 }),
      ),
    ).toBe('CONFIG_INVALID');
    expect(code(() => modelConfigFromHf([] as never))).toBe('CONFIG_INVALID');
  });
});
