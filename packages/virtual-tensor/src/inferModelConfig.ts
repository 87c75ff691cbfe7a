import { VirtualTensorError } from './errors';
import { type Architecture, type ModelConfig, type ModelConfigInput, makeModelConfig } from './modelConfig';
import { classifyTensorName } from './tensorGroups';

/** A tensor's name and shape, as read from a checkpoint header. */
export interface NamedShape {
  name: string;
  shape: number[];
}

function need(msg: string): VirtualTensorError {
  return new VirtualTensorError('CONFIG_INVALID', msg);
}

/**
 * Derives a config from checkpoint tensor shapes when no `config.json`
 * exists. Shapes give vocab, width, depth, FFN and (GPT-2) context; the head
 * count cannot be derived and must be in `given` (`numHeads`). `given`
 * fields win over derived ones.
 * @throws VirtualTensorError `CONFIG_INVALID` when a required tensor or field is missing.
 */
export function inferModelConfig(
  architecture: Architecture,
  tensors: readonly NamedShape[],
  given: Partial<Omit<ModelConfigInput, 'architecture'>> = {},
): ModelConfig {
  const byLocal = new Map<string, number[]>();
  let maxLayer = -1;
  for (const t of tensors) {
    const r = classifyTensorName(t.name);
    if (r.group === 'layer') {
      maxLayer = Math.max(maxLayer, r.layer!);
      if (r.layer === 0) byLocal.set(`0:${r.local}`, t.shape);
    } else byLocal.set(r.local, t.shape);
  }
  const shape = (local: string): number[] => {
    const s = byLocal.get(local);
    if (!s) throw need(`Cannot derive the config: tensor "${local}" is missing.`);
    return s;
  };
  const numHeads = given.numHeads;
  if (numHeads === undefined) {
    throw need(
      'The number of attention heads cannot be derived from tensor shapes; pass it (e.g. --n-head).',
    );
  }
  const hasLmHead = byLocal.has('lm_head.weight');
  if (architecture === 'gpt2') {
    const [vocab, d] = shape('wte.weight') as [number, number];
    return makeModelConfig({
      architecture,
      numLayers: maxLayer + 1,
      hiddenSize: d,
      vocabSize: vocab,
      maxPositions: shape('wpe.weight')[0]!,
      intermediateSize: shape('0:mlp.c_fc.weight')[1]!,
      tieWordEmbeddings: !hasLmHead,
      ...given,
      numHeads,
    });
  }
  const [vocab, d] = shape('embed_tokens.weight') as [number, number];
  const qRows = shape('0:self_attn.q_proj.weight')[0]!;
  const headDim = given.headDim ?? qRows / numHeads;
  const kvRows = shape('0:self_attn.k_proj.weight')[0]!;
  return makeModelConfig({
    architecture,
    numLayers: maxLayer + 1,
    hiddenSize: d,
    vocabSize: vocab,
    headDim,
    numKvHeads: kvRows / headDim,
    intermediateSize: shape('0:mlp.gate_proj.weight')[0]!,
    tieWordEmbeddings: !hasLmHead,
    attentionBias: byLocal.has('0:self_attn.q_proj.bias'),
    ...given,
    numHeads,
  });
}
