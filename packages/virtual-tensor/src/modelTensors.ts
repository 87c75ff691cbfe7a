import type { ModelConfig } from './modelConfig';
import { classifyTensorName, type TensorGroup } from './tensorGroups';

/** A tensor a model of a given config has, before any weights exist. */
export interface TensorSpec {
  /** Hugging Face state-dict name */
  name: string;
  shape: number[];
  group: TensorGroup;
  /** block index for `layer` tensors */
  layer?: number;
}

type Shapes = [local: string, shape: number[]][];

function gpt2Tensors(c: ModelConfig): TensorSpec[] {
  const d = c.hiddenSize;
  const f = c.intermediateSize;
  const out: TensorSpec[] = [
    { name: 'transformer.wte.weight', shape: [c.vocabSize, d], group: 'embed' },
    { name: 'transformer.wpe.weight', shape: [c.maxPositions, d], group: 'embed' },
  ];
  // Conv1D weights are [in, out]; c_attn columns are [Q | K | V]
  const block: Shapes = [
    ['ln_1.weight', [d]],
    ['ln_1.bias', [d]],
    ['attn.c_attn.weight', [d, 3 * d]],
    ['attn.c_attn.bias', [3 * d]],
    ['attn.c_proj.weight', [d, d]],
    ['attn.c_proj.bias', [d]],
    ['ln_2.weight', [d]],
    ['ln_2.bias', [d]],
    ['mlp.c_fc.weight', [d, f]],
    ['mlp.c_fc.bias', [f]],
    ['mlp.c_proj.weight', [f, d]],
    ['mlp.c_proj.bias', [d]],
  ];
  for (let i = 0; i < c.numLayers; i++) {
    for (const [local, shape] of block)
      out.push({ name: `transformer.h.${i}.${local}`, shape, group: 'layer', layer: i });
  }
  out.push({ name: 'transformer.ln_f.weight', shape: [d], group: 'head' });
  out.push({ name: 'transformer.ln_f.bias', shape: [d], group: 'head' });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, d], group: 'head' });
  return out;
}

function llamaTensors(c: ModelConfig): TensorSpec[] {
  const d = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const f = c.intermediateSize;
  const bias = c.attentionBias;
  const out: TensorSpec[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, d], group: 'embed' }];
  // Linear weights are [out, in]
  const block: Shapes = [
    ['input_layernorm.weight', [d]],
    ['self_attn.q_proj.weight', [q, d]],
    ...(bias ? ([['self_attn.q_proj.bias', [q]]] as Shapes) : []),
    ['self_attn.k_proj.weight', [kv, d]],
    ...(bias ? ([['self_attn.k_proj.bias', [kv]]] as Shapes) : []),
    ['self_attn.v_proj.weight', [kv, d]],
    ...(bias ? ([['self_attn.v_proj.bias', [kv]]] as Shapes) : []),
    ['self_attn.o_proj.weight', [d, q]],
    // Llama's attention_bias also adds an o_proj bias; Qwen2 biases q/k/v only
    ...(bias && c.architecture === 'llama' ? ([['self_attn.o_proj.bias', [d]]] as Shapes) : []),
    ['post_attention_layernorm.weight', [d]],
    ['mlp.gate_proj.weight', [f, d]],
    ['mlp.up_proj.weight', [f, d]],
    ['mlp.down_proj.weight', [d, f]],
  ];
  for (let i = 0; i < c.numLayers; i++) {
    for (const [local, shape] of block)
      out.push({ name: `model.layers.${i}.${local}`, shape, group: 'layer', layer: i });
  }
  out.push({ name: 'model.norm.weight', shape: [d], group: 'head' });
  if (!c.tieWordEmbeddings) out.push({ name: 'lm_head.weight', shape: [c.vocabSize, d], group: 'head' });
  return out;
}

/**
 * The tensors (HF names, shapes, pipeline groups) of a model with this config,
 * in canonical order: embeddings, blocks 0…L-1 (each in forward order), head.
 * Non-parameter buffers (causal masks) are not listed.
 */
export function modelTensors(config: ModelConfig): TensorSpec[] {
  return config.architecture === 'gpt2' ? gpt2Tensors(config) : llamaTensors(config);
}

/** Parameter count of a model with this config (tied heads counted once). */
export function parameterCount(config: ModelConfig): number {
  let n = 0;
  for (const t of modelTensors(config)) n += t.shape.reduce((p, s) => p * s, 1);
  return n;
}

/**
 * Sort key that puts tensors in canonical pipeline order: group (embed,
 * layers, head), layer index, then forward order within the block as given by
 * `modelTensors`, then name.
 */
export function canonicalOrder(config: ModelConfig): (a: string, b: string) => number {
  const rank = new Map<string, number>();
  const specs = modelTensors({ ...config, numLayers: 1 });
  specs.forEach((s, i) => {
    rank.set(`${s.group}:${classifyTensorName(s.name).local}`, i);
  });
  const key = (name: string): [stage: number, rank: number] => {
    const r = classifyTensorName(name);
    const stage = r.group === 'embed' ? -1 : r.group === 'head' ? Number.MAX_SAFE_INTEGER : r.layer!;
    return [stage, rank.get(`${r.group}:${r.local}`) ?? specs.length];
  };
  return (a, b) => {
    const ka = key(a);
    const kb = key(b);
    return ka[0] - kb[0] || ka[1] - kb[1] || (a < b ? -1 : a > b ? 1 : 0);
  };
}
