/**
 * Where a tensor belongs in a layer pipeline. `embed` tensors are needed by
 * the first stage, `layer` tensors by the holder of that layer, `head`
 * tensors by the last stage.
 */
export type TensorGroup = 'embed' | 'layer' | 'head';

/** Result of {@link classifyTensorName}. */
export interface TensorRole {
  group: TensorGroup;
  /** block index for `layer` tensors, otherwise undefined */
  layer?: number;
  /** name without the model prefix and block path, e.g. `attn.c_attn.weight`, `wte.weight` */
  local: string;
}

// `transformer.h.3.attn…`, `model.layers.3.self_attn…`, `h.3.…`, `blocks.3.…`
const LAYER_RE = /^(?:.*?\.)?(?:h|layers|blocks|layer)\.(\d+)\.(.+)$/;
// final norm and output head: `transformer.ln_f.*`, `model.norm.*`, `lm_head.*`
const HEAD_RE = /^(?:.*?\.)?(ln_f|norm|final_layernorm|final_layer_norm|lm_head|embed_out)\.(.+)$/;
const PREFIX_RE = /^(?:transformer|model|gpt_neox)\./;

/** Classifies an HF tensor name as embedding, block `layer` or head; see {@link TensorRole}. */
export function classifyTensorName(name: string): TensorRole {
  const m = LAYER_RE.exec(name);
  if (m) return { group: 'layer', layer: Number(m[1]), local: m[2]! };
  const h = HEAD_RE.exec(name);
  if (h) return { group: 'head', local: `${h[1]}.${h[2]}` };
  return { group: 'embed', local: name.replace(PREFIX_RE, '') };
}

/** Position of a group in pipeline order, with layer index: embed = -1, layers 0…L-1, head = L. */
export function stagePosition(role: Pick<TensorRole, 'group' | 'layer'>, numLayers: number): number {
  return role.group === 'embed' ? -1 : role.group === 'head' ? numLayers : role.layer!;
}

/** Local names of the token embedding matrix shared with a tied output head. */
export const TOKEN_EMBEDDING_LOCAL_NAMES: readonly string[] = [
  'wte.weight',
  'embed_tokens.weight',
  'embed_in.weight',
];

/** Non-parameter buffers dropped at pack time (causal-mask and rotary caches). */
export function isNonParameterBuffer(name: string, shape: readonly number[]): boolean {
  const local = classifyTensorName(name).local;
  if (local === 'attn.masked_bias') return true;
  if (local === 'attn.bias' && shape.length === 4) return true;
  return local.endsWith('rotary_emb.inv_freq');
}
