import type { Weight } from '@ailo/pipeline';
import { VirtualModel } from '@ailo/virtual-tensor';
import { nodeSha256Hex } from '@ailo/virtual-tensor/node';
import type { ServedModel } from '../coordinator/ServedModel';

/** Every weight of a served model as float32, each chunk verified against the manifest. */
export async function readPackedWeights(m: ServedModel): Promise<Map<string, Weight>> {
  const vm = VirtualModel.open(m.manifest, m.store, { hash: nodeSha256Hex });
  const tensors = await vm.loadLayersFloat32(0, m.config.numLayers);
  const out = new Map<string, Weight>();
  for (const [name, data] of tensors) out.set(name, { shape: [...vm.tensorInfo(name).shape], data });
  return out;
}
