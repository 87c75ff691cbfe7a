import { VirtualTensorError } from './errors';

/** Model families whose tensor layout this package knows. */
export type Architecture = 'gpt2' | 'llama' | 'qwen2';

/** Every supported {@link Architecture}. */
export const ARCHITECTURES: readonly Architecture[] = ['gpt2', 'llama', 'qwen2'];

/**
 * A decoder-only transformer's hyper-parameters, normalised across families.
 * `hf` keeps the Hugging Face `config.json` fields (verbatim when read from a
 * file, synthesised by {@link toHfConfig} otherwise) for runtimes that want them.
 */
export interface ModelConfig {
  architecture: Architecture;
  /** number of transformer blocks */
  numLayers: number;
  /** d_model */
  hiddenSize: number;
  /** query heads */
  numHeads: number;
  /** key/value heads (= numHeads without grouped-query attention) */
  numKvHeads: number;
  /** per-head dimension (hiddenSize / numHeads unless the config says otherwise) */
  headDim: number;
  /** FFN inner size */
  intermediateSize: number;
  vocabSize: number;
  /** context length (n_positions / max_position_embeddings). tokens */
  maxPositions: number;
  /** LayerNorm / RMSNorm epsilon */
  normEps: number;
  /** output head shares the token embedding matrix */
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry a bias (GPT-2 and Qwen2: true; Llama: config `attention_bias`) */
  attentionBias: boolean;
  /** HF activation name: `gelu_new` (GPT-2), `silu` (Llama/Qwen2) */
  activation: string;
  /** RoPE base (Llama/Qwen2 only) */
  ropeTheta?: number;
  /** HF-style config fields (`model_type`, `n_embd`, `hidden_size`, …) */
  hf: Record<string, unknown>;
}

/** Fields accepted by {@link makeModelConfig}; missing ones take family defaults. */
export type ModelConfigInput = Pick<
  ModelConfig,
  'architecture' | 'numLayers' | 'hiddenSize' | 'numHeads' | 'vocabSize'
> &
  Partial<Omit<ModelConfig, 'architecture' | 'numLayers' | 'hiddenSize' | 'numHeads' | 'vocabSize'>>;

function configError(msg: string, details?: string): VirtualTensorError {
  return new VirtualTensorError('CONFIG_INVALID', msg, details ? { details } : {});
}

function posInt(v: unknown, field: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) {
    throw configError(
      `Model config field "${field}" must be a positive integer.`,
      `Got ${JSON.stringify(v)}.`,
    );
  }
  return v;
}

/**
 * Completes and validates a config: fills family defaults (GPT-2: FFN 4·d,
 * ε 1e-5, tied head; Llama/Qwen2: kv heads = heads, ε 1e-6, RoPE 10000) and
 * checks divisibility rules. Synthesises `hf` when absent.
 * @throws VirtualTensorError `CONFIG_INVALID`
 */
export function makeModelConfig(input: ModelConfigInput): ModelConfig {
  const arch = input.architecture;
  if (!ARCHITECTURES.includes(arch)) {
    throw configError(`Unknown architecture "${String(arch)}".`, `Supported: ${ARCHITECTURES.join(', ')}.`);
  }
  const gpt2 = arch === 'gpt2';
  const numLayers = posInt(input.numLayers, 'numLayers');
  const hiddenSize = posInt(input.hiddenSize, 'hiddenSize');
  const numHeads = posInt(input.numHeads, 'numHeads');
  const numKvHeads = posInt(input.numKvHeads ?? numHeads, 'numKvHeads');
  const headDim = posInt(input.headDim ?? hiddenSize / numHeads, 'headDim');
  const intermediateSize = posInt(input.intermediateSize ?? 4 * hiddenSize, 'intermediateSize');
  const vocabSize = posInt(input.vocabSize, 'vocabSize');
  const maxPositions = posInt(input.maxPositions ?? (gpt2 ? 1024 : 2048), 'maxPositions');
  if (numHeads % numKvHeads !== 0) {
    throw configError(
      'numHeads must be a multiple of numKvHeads.',
      `${numHeads} heads, ${numKvHeads} kv heads.`,
    );
  }
  if (gpt2 && (numKvHeads !== numHeads || headDim * numHeads !== hiddenSize)) {
    throw configError('GPT-2 needs numHeads × headDim = hiddenSize and no grouped-query attention.');
  }
  const normEps = input.normEps ?? (gpt2 ? 1e-5 : 1e-6);
  if (!(normEps > 0)) throw configError('normEps must be positive.');
  const config: ModelConfig = {
    architecture: arch,
    numLayers,
    hiddenSize,
    numHeads,
    numKvHeads,
    headDim,
    intermediateSize,
    vocabSize,
    maxPositions,
    normEps,
    tieWordEmbeddings: input.tieWordEmbeddings ?? gpt2,
    attentionBias: input.attentionBias ?? arch !== 'llama',
    activation: input.activation ?? (gpt2 ? 'gelu_new' : 'silu'),
    hf: {},
  };
  if (!gpt2) config.ropeTheta = input.ropeTheta ?? 10000;
  config.hf = input.hf && Object.keys(input.hf).length > 0 ? { ...input.hf } : toHfConfig(config);
  return config;
}

/** Synthesises a Hugging Face `config.json` object for `config`. */
export function toHfConfig(config: Omit<ModelConfig, 'hf'>): Record<string, unknown> {
  if (config.architecture === 'gpt2') {
    return {
      architectures: ['GPT2LMHeadModel'],
      model_type: 'gpt2',
      n_layer: config.numLayers,
      n_embd: config.hiddenSize,
      n_head: config.numHeads,
      n_inner: config.intermediateSize,
      n_positions: config.maxPositions,
      n_ctx: config.maxPositions,
      vocab_size: config.vocabSize,
      layer_norm_epsilon: config.normEps,
      activation_function: config.activation,
      tie_word_embeddings: config.tieWordEmbeddings,
    };
  }
  return {
    architectures: [config.architecture === 'qwen2' ? 'Qwen2ForCausalLM' : 'LlamaForCausalLM'],
    model_type: config.architecture,
    num_hidden_layers: config.numLayers,
    hidden_size: config.hiddenSize,
    num_attention_heads: config.numHeads,
    num_key_value_heads: config.numKvHeads,
    head_dim: config.headDim,
    intermediate_size: config.intermediateSize,
    vocab_size: config.vocabSize,
    max_position_embeddings: config.maxPositions,
    rms_norm_eps: config.normEps,
    rope_theta: config.ropeTheta ?? 10000,
    hidden_act: config.activation,
    tie_word_embeddings: config.tieWordEmbeddings,
    ...(config.architecture === 'llama' ? { attention_bias: config.attentionBias } : {}),
  };
}

const ARCH_BY_CLASS: Record<string, Architecture> = {
  GPT2LMHeadModel: 'gpt2',
  GPT2Model: 'gpt2',
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
};

function pick(hf: Record<string, unknown>, ...keys: string[]): unknown {
  for (const k of keys) if (hf[k] !== undefined && hf[k] !== null) return hf[k];
  return undefined;
}

function opt<T>(v: unknown): T | undefined {
  return v === undefined || v === null ? undefined : (v as T);
}

/**
 * Reads a Hugging Face `config.json` object (GPT-2, Llama or Qwen2 family).
 * Unknown keys are kept in `hf`.
 * @throws VirtualTensorError `CONFIG_INVALID` for other families or missing fields.
 */
export function modelConfigFromHf(hf: Record<string, unknown>): ModelConfig {
  if (typeof hf !== 'object' || hf === null || Array.isArray(hf))
    throw configError('config.json is not an object.');
  const classes = Array.isArray(hf['architectures']) ? (hf['architectures'] as unknown[]) : [];
  const fromClass = classes.map((c) => ARCH_BY_CLASS[String(c)]).find((a) => a !== undefined);
  const mt = typeof hf['model_type'] === 'string' ? hf['model_type'] : undefined;
  const arch = (ARCHITECTURES as readonly string[]).includes(mt ?? '') ? (mt as Architecture) : fromClass;
  if (!arch) {
    throw configError(
      `Unsupported model_type "${mt ?? '(none)'}".`,
      `Supported families: ${ARCHITECTURES.join(', ')}.`,
    );
  }
  if (arch === 'gpt2') {
    return makeModelConfig({
      architecture: 'gpt2',
      numLayers: pick(hf, 'n_layer', 'num_hidden_layers') as number,
      hiddenSize: pick(hf, 'n_embd', 'hidden_size') as number,
      numHeads: pick(hf, 'n_head', 'num_attention_heads') as number,
      vocabSize: pick(hf, 'vocab_size') as number,
      ...defined({
        intermediateSize: opt<number>(pick(hf, 'n_inner', 'intermediate_size')),
        maxPositions: opt<number>(pick(hf, 'n_positions', 'n_ctx', 'max_position_embeddings')),
        normEps: opt<number>(pick(hf, 'layer_norm_epsilon')),
        activation: opt<string>(pick(hf, 'activation_function')),
        tieWordEmbeddings: opt<boolean>(pick(hf, 'tie_word_embeddings')),
      }),
      hf,
    });
  }
  return makeModelConfig({
    architecture: arch,
    numLayers: pick(hf, 'num_hidden_layers') as number,
    hiddenSize: pick(hf, 'hidden_size') as number,
    numHeads: pick(hf, 'num_attention_heads') as number,
    vocabSize: pick(hf, 'vocab_size') as number,
    ...defined({
      numKvHeads: opt<number>(pick(hf, 'num_key_value_heads')),
      headDim: opt<number>(pick(hf, 'head_dim')),
      intermediateSize: opt<number>(pick(hf, 'intermediate_size')),
      maxPositions: opt<number>(pick(hf, 'max_position_embeddings')),
      normEps: opt<number>(pick(hf, 'rms_norm_eps')),
      ropeTheta: opt<number>(pick(hf, 'rope_theta')),
      activation: opt<string>(pick(hf, 'hidden_act')),
      tieWordEmbeddings: opt<boolean>(pick(hf, 'tie_word_embeddings')) ?? false,
      attentionBias: arch === 'qwen2' ? true : (opt<boolean>(pick(hf, 'attention_bias')) ?? false),
    }),
    hf,
  });
}

/** Drops `undefined` values so the result satisfies `exactOptionalPropertyTypes`. */
function defined<T extends Record<string, unknown>>(o: T): { [K in keyof T]?: Exclude<T[K], undefined> } {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out as { [K in keyof T]?: Exclude<T[K], undefined> };
}
