import type { Graph } from '../ir/graph';

/** A host-side tensor exchanged with a backend. Float data may be float64 on the `ref` backend. */
export interface HostTensor {
  type: 'float32' | 'int64';
  shape: number[];
  data: Float32Array | Float64Array | BigInt64Array;
}

/** A graph compiled for one backend. */
export interface CompiledGraph {
  run(feeds: Record<string, HostTensor>): Promise<Record<string, HostTensor>>;
  dispose(): Promise<void>;
}

export type BackendName = 'cpu' | 'cuda' | 'wasm' | 'webgpu' | 'ref';

/** Executes IR graphs: ONNX Runtime (node or web) or the TypeScript reference executor. */
export interface Backend {
  readonly name: BackendName;
  compile(graph: Graph): Promise<CompiledGraph>;
}
