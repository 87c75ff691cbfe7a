import { VirtualTensorError } from './errors';
import type { Manifest, ManifestSpan } from './manifestSchema';
import type { ModelConfig } from './modelConfig';
import { classifyTensorName, type TensorGroup, TOKEN_EMBEDDING_LOCAL_NAMES } from './tensorGroups';

interface IndexedTensor {
  name: string;
  group: TensorGroup;
  layer?: number;
  segments: readonly { chunk: number }[];
}

function span(tensors: readonly IndexedTensor[]): ManifestSpan {
  const chunks = new Set<number>();
  for (const t of tensors) for (const s of t.segments) chunks.add(s.chunk);
  return { tensors: tensors.map((t) => t.name), chunks: [...chunks].sort((a, b) => a - b) };
}

/**
 * Builds the layer → tensors/chunks index of a tensor table. The head span
 * includes the token embedding when the head is tied and no `lm_head` is
 * stored, so the last stage can compute logits.
 */
export function buildLayerIndex(
  tensors: readonly IndexedTensor[],
  model: Pick<ModelConfig, 'numLayers' | 'tieWordEmbeddings'>,
): Manifest['index'] {
  const embed = tensors.filter((t) => t.group === 'embed');
  const head = tensors.filter((t) => t.group === 'head');
  const hasOutput = head.some((t) => /(^|\.)(lm_head|embed_out)\./.test(t.name));
  if (model.tieWordEmbeddings && !hasOutput) {
    const wte = embed.find((t) => TOKEN_EMBEDDING_LOCAL_NAMES.includes(classifyTensorName(t.name).local));
    if (wte) head.push(wte);
  }
  const layers: ManifestSpan[] = [];
  for (let i = 0; i < model.numLayers; i++)
    layers.push(span(tensors.filter((t) => t.group === 'layer' && t.layer === i)));
  return { embeddings: span(embed), head: span(head), layers };
}

/** Which parts of a model a pipeline stage holds. */
export interface StageParts {
  /** include the embedding tensors (default: true when `first` is 0) */
  embeddings?: boolean;
  /** include the final norm and output head (default: true when `end` is numLayers) */
  head?: boolean;
}

function checkRange(manifest: Manifest, first: number, end: number): void {
  const n = manifest.model.numLayers;
  if (!Number.isInteger(first) || !Number.isInteger(end) || first < 0 || end > n || first > end) {
    throw new VirtualTensorError(
      'PLAN_INVALID',
      `Invalid layer range [${first}, ${end}) for a ${n}-layer model.`,
    );
  }
}

/** Tensor names a holder of blocks [first, end) needs, in manifest order. */
export function tensorsForLayers(
  manifest: Manifest,
  first: number,
  end: number,
  parts: StageParts = {},
): string[] {
  checkRange(manifest, first, end);
  const names: string[] = [];
  const seen = new Set<string>();
  const add = (xs: readonly string[]) => {
    for (const x of xs) if (!seen.has(x)) seen.add(x) && names.push(x);
  };
  if (parts.embeddings ?? first === 0) add(manifest.index.embeddings.tensors);
  for (let i = first; i < end; i++) add(manifest.index.layers[i]!.tensors);
  if (parts.head ?? end === manifest.model.numLayers) add(manifest.index.head.tensors);
  return names;
}

/** Chunk ids a holder of blocks [first, end) needs (ascending). */
export function chunksForLayers(
  manifest: Manifest,
  first: number,
  end: number,
  parts: StageParts = {},
): number[] {
  checkRange(manifest, first, end);
  const ids = new Set<number>();
  if (parts.embeddings ?? first === 0) for (const c of manifest.index.embeddings.chunks) ids.add(c);
  for (let i = first; i < end; i++) for (const c of manifest.index.layers[i]!.chunks) ids.add(c);
  if (parts.head ?? end === manifest.model.numLayers) for (const c of manifest.index.head.chunks) ids.add(c);
  return [...ids].sort((a, b) => a - b);
}

/** Tensor names of block `layer`, in forward order. */
export function layerTensorNames(manifest: Manifest, layer: number): string[] {
  checkRange(manifest, layer, layer + 1);
  return [...manifest.index.layers[layer]!.tensors];
}

/**
 * Tensors of block `layer` keyed by their local name (`attn.c_attn.weight`,
 * `self_attn.q_proj.weight`, …), so a runtime can address them without
 * knowing the checkpoint's prefix.
 */
export function layerTensorsByLocalName(manifest: Manifest, layer: number): Map<string, string> {
  return new Map(layerTensorNames(manifest, layer).map((n) => [classifyTensorName(n).local, n]));
}
