import type { ModelConfig, Weight } from '@ailo/pipeline';
import type { VirtualModel } from '@ailo/virtual-tensor';

/**
 * Layers [start, end) of a packed model — plus the embeddings on the first
 * span and the final norm and head on the last — as float32 weights, reading
 * (and verifying) only the chunks they live in.
 */
export async function spanWeights(
  vm: VirtualModel,
  start: number,
  end: number,
  signal?: AbortSignal,
): Promise<{ config: ModelConfig; weights: Map<string, Weight> }> {
  const tensors = await vm.loadLayersFloat32(start, end, signal ? { signal } : {});
  const weights = new Map<string, Weight>();
  for (const [name, data] of tensors) weights.set(name, { shape: [...vm.tensorInfo(name).shape], data });
  return { config: vm.config, weights };
}
