import { encodeSafetensors, type TensorEntry } from './safetensors';
import type { VirtualModel } from './VirtualModel';

/**
 * Encodes every tensor of a packed model as one safetensors file in memory
 * (names sorted, the manifest's `metadata` as `__metadata__`). Each chunk is
 * verified on the way. For models larger than memory use
 * `exportSafetensorsFile` from `@ailo/virtual-tensor/node`.
 */
export async function exportSafetensors(model: VirtualModel): Promise<Uint8Array> {
  const tensors: [string, TensorEntry][] = [];
  for (const t of model.manifest.tensors) tensors.push([t.name, await model.tensor(t.name)]);
  return encodeSafetensors(tensors, model.manifest.metadata);
}
