import * as ort from 'onnxruntime-node';
import type { Backend, BackendName } from './backends/backend';
import { createOrtBackend, type OrtModule } from './backends/ortBackend';
import { createRefBackend } from './backends/refBackend';
import { PipelineError } from './errors';

export * from './index';

/** Creates a backend in Node: `cpu`/`cuda` via onnxruntime-node, or `ref`. */
export function createNodeBackend(
  name: BackendName = 'cpu',
  opts: { threads?: number; profilePrefix?: string } = {},
): Backend {
  if (name === 'ref') return createRefBackend();
  if (name === 'cpu' || name === 'cuda')
    return createOrtBackend(ort as unknown as OrtModule, { provider: name, ...opts });
  throw new PipelineError('backend_unavailable', `Backend "${name}" is not available in Node.`, {
    details: 'Node backends: cpu, cuda, ref. wasm/webgpu run in browsers through onnxruntime-web.',
  });
}
export { type ExportTransformersJsOptions, exportTransformersJs } from './nodeio/exportTransformersJs';
export {
  type LoadedModel,
  type LoadModelOptions,
  loadHfDir,
  loadModel,
  loadModelDir,
  loadTokenizer,
} from './nodeio/loadModelDir';
export { brownCorpusDir, loadBrownCorpus } from './train/data/loadBrownCorpus';
