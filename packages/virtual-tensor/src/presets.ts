import { type ModelConfig, makeModelConfig, modelConfigFromHf } from './modelConfig';

/**
 * `config.json` of Qwen/Qwen2-0.5B on the Hugging Face hub (0.49B parameters,
 * tied head, grouped-query attention 14/2).
 */
const QWEN2_0_5B = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 896,
  intermediate_size: 4864,
  max_position_embeddings: 131072,
  max_window_layers: 24,
  num_attention_heads: 14,
  num_hidden_layers: 24,
  num_key_value_heads: 2,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 131072,
  tie_word_embeddings: true,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
} as const;

/**
 * `config.json` of Qwen/Qwen1.5-1.8B (1.84B parameters). Qwen1.5 checkpoints
 * use the Qwen2 architecture (`model_type` `qwen2`): QKV bias, no GQA here.
 */
const QWEN1_5_1_8B = {
  architectures: ['Qwen2ForCausalLM'],
  model_type: 'qwen2',
  bos_token_id: 151643,
  eos_token_id: 151643,
  hidden_act: 'silu',
  hidden_size: 2048,
  intermediate_size: 5504,
  max_position_embeddings: 32768,
  max_window_layers: 21,
  num_attention_heads: 16,
  num_hidden_layers: 24,
  num_key_value_heads: 16,
  rms_norm_eps: 1e-6,
  rope_theta: 1000000.0,
  sliding_window: 32768,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  use_sliding_window: false,
  vocab_size: 151936,
} as const;

/** `config.json` of meta-llama/Llama-2-7b-hf (6.74B parameters; no `rope_theta` key: 10000). */
const LLAMA_2_7B = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  bos_token_id: 1,
  eos_token_id: 2,
  hidden_act: 'silu',
  hidden_size: 4096,
  intermediate_size: 11008,
  max_position_embeddings: 4096,
  num_attention_heads: 32,
  num_hidden_layers: 32,
  num_key_value_heads: 32,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: null,
  tie_word_embeddings: false,
  torch_dtype: 'float16',
  vocab_size: 32000,
} as const;

/** `config.json` of meta-llama/Llama-2-70b-hf (68.98B parameters, GQA 64/8). */
const LLAMA_2_70B = {
  ...LLAMA_2_7B,
  hidden_size: 8192,
  intermediate_size: 28672,
  num_attention_heads: 64,
  num_hidden_layers: 80,
  num_key_value_heads: 8,
} as const;

/**
 * `config.json` of meta-llama/Llama-3.1-405B (405.9B parameters, GQA 128/8).
 * `rope_scaling` (type `llama3`) is kept in `hf` for runtimes that implement
 * it; a runtime applying plain RoPE with `rope_theta` matches it only within
 * the original 8192-token context.
 */
const LLAMA_3_1_405B = {
  architectures: ['LlamaForCausalLM'],
  model_type: 'llama',
  attention_bias: false,
  bos_token_id: 128000,
  eos_token_id: 128001,
  hidden_act: 'silu',
  hidden_size: 16384,
  intermediate_size: 53248,
  max_position_embeddings: 131072,
  mlp_bias: false,
  num_attention_heads: 128,
  num_hidden_layers: 126,
  num_key_value_heads: 8,
  pretraining_tp: 1,
  rms_norm_eps: 1e-5,
  rope_scaling: {
    factor: 8.0,
    low_freq_factor: 1.0,
    high_freq_factor: 4.0,
    original_max_position_embeddings: 8192,
    rope_type: 'llama3',
  },
  rope_theta: 500000.0,
  tie_word_embeddings: false,
  torch_dtype: 'bfloat16',
  vocab_size: 128256,
} as const;

/** A deep, mutable copy of a preset's `config.json` (callers may edit `hf`). */
function fromHf(hf: object): () => ModelConfig {
  return () => modelConfigFromHf(structuredClone(hf) as Record<string, unknown>);
}

/**
 * Named model configs, usable offline (no weights). `ailo-840m` is the
 * reference model of the original network (GPT-2 style, 24 × 1600, FFN 6400,
 * 25 heads, vocab 50257, context 2048); the others are the `config.json`
 * files of the public checkpoints of the same names, with every field kept in
 * `hf`.
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
  'qwen2-0.5b': fromHf(QWEN2_0_5B),
  'qwen1.5-1.8b': fromHf(QWEN1_5_1_8B),
  'llama-2-7b': fromHf(LLAMA_2_7B),
  'llama-2-70b': fromHf(LLAMA_2_70B),
  'llama-3.1-405b': fromHf(LLAMA_3_1_405B),
} satisfies Record<string, () => ModelConfig>;

/** Name of a built-in preset. */
export type PresetName = keyof typeof PRESETS;

/** Names of the built-in presets. */
export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** Returns a fresh config for a preset, or undefined for an unknown name. */
export function presetConfig(name: string): ModelConfig | undefined {
  return Object.hasOwn(PRESETS, name) ? PRESETS[name as PresetName]() : undefined;
}
