import { PipelineError } from '../errors';

export const SUPPORTED_ARCHITECTURES = ['gpt2', 'llama', 'qwen2'] as const;
export type Architecture = (typeof SUPPORTED_ARCHITECTURES)[number];

/** Normalised decoder config, derived from an HF `config.json`. */
export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  /** max context in tokens */
  maxPositions: number;
  normEps: number;
  /** RoPE base (llama/qwen2) */
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (GPT-2 and Qwen2; Llama only with `attention_bias`) */
  qkvBias: boolean;
}

type HfConfig = Record<string, unknown>;

function int(cfg: HfConfig, ...keys: string[]): number {
  for (const k of keys) {
    const v = cfg[k];
    if (typeof v === 'number' && Number.isInteger(v) && v > 0) return v;
  }
  throw new PipelineError('bad_config', `config.json lacks a positive integer ${keys.join(' / ')}`);
}

function optNum(cfg: HfConfig, key: string): number | undefined {
  const v = cfg[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/** Which family an HF config belongs to (`model_type`, else `architectures[0]`). */
export function detectArchitecture(cfg: HfConfig): Architecture {
  const mt = typeof cfg.model_type === 'string' ? cfg.model_type : undefined;
  const arch = Array.isArray(cfg.architectures) ? String(cfg.architectures[0]) : undefined;
  const guess = mt ?? (arch?.startsWith('GPT2') ? 'gpt2' : arch?.startsWith('Qwen2') ? 'qwen2' : arch?.startsWith('Llama') ? 'llama' : arch);
  if (guess === 'gpt2' || guess === 'llama' || guess === 'qwen2') return guess;
  throw new PipelineError('unsupported_architecture', `Unsupported architecture "${guess ?? 'unknown'}".`, {
    details: `Supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
  });
}

/** Reads an HF `config.json` object into a {@link ModelConfig}. */
export function parseHfConfig(cfg: HfConfig): ModelConfig {
  const architecture = detectArchitecture(cfg);
  if (architecture === 'gpt2') {
    const hiddenSize = int(cfg, 'n_embd', 'hidden_size');
    const numHeads = int(cfg, 'n_head', 'num_attention_heads');
    const c: ModelConfig = {
      architecture,
      vocabSize: int(cfg, 'vocab_size'),
      hiddenSize,
      numLayers: int(cfg, 'n_layer', 'num_hidden_layers'),
      numHeads,
      numKvHeads: numHeads,
      headDim: hiddenSize / numHeads,
      intermediateSize: optNum(cfg, 'n_inner') ?? 4 * hiddenSize,
      maxPositions: int(cfg, 'n_positions', 'max_position_embeddings'),
      normEps: optNum(cfg, 'layer_norm_epsilon') ?? 1e-5,
      ropeTheta: 0,
      tieWordEmbeddings: true,
      qkvBias: true,
    };
    return validateConfig(c);
  }
  const hiddenSize = int(cfg, 'hidden_size');
  const numHeads = int(cfg, 'num_attention_heads');
  const c: ModelConfig = {
    architecture,
    vocabSize: int(cfg, 'vocab_size'),
    hiddenSize,
    numLayers: int(cfg, 'num_hidden_layers'),
    numHeads,
    numKvHeads: optNum(cfg, 'num_key_value_heads') ?? numHeads,
    headDim: optNum(cfg, 'head_dim') ?? hiddenSize / numHeads,
    intermediateSize: int(cfg, 'intermediate_size'),
    maxPositions: int(cfg, 'max_position_embeddings'),
    normEps: optNum(cfg, 'rms_norm_eps') ?? 1e-6,
    ropeTheta: optNum(cfg, 'rope_theta') ?? 10000,
    tieWordEmbeddings: cfg.tie_word_embeddings === true,
    qkvBias: architecture === 'qwen2' || cfg.attention_bias === true,
  };
  return validateConfig(c);
}

function validateConfig(c: ModelConfig): ModelConfig {
  const bad = (why: string) => new PipelineError('bad_config', `Invalid model config: ${why}`);
  if (!Number.isInteger(c.headDim) || c.headDim <= 0) throw bad(`head_dim ${c.headDim} is not a positive integer`);
  if (c.numHeads % c.numKvHeads !== 0) throw bad(`${c.numHeads} heads not divisible by ${c.numKvHeads} KV heads`);
  if (c.architecture !== 'gpt2' && c.headDim % 2 !== 0) throw bad(`RoPE needs an even head_dim, got ${c.headDim}`);
  return c;
}

/** Layers [start, end) of a model, held by one pipeline stage. */
export interface LayerSpan {
  start: number;
  end: number;
}
