import { PipelineError } from '../errors';
import { emitOnnx } from '../onnx/emit';
import type { Backend, BackendName, HostTensor } from './backend';

/** The subset of the `onnxruntime-node` / `onnxruntime-web` module this backend uses. */
export interface OrtModule {
  InferenceSession: { create(model: Uint8Array, options?: Record<string, unknown>): Promise<OrtSession> };
  Tensor: new (type: string, data: unknown, dims: readonly number[]) => OrtTensor;
}
interface OrtTensor {
  type: string;
  dims: readonly number[];
  data: unknown;
  dispose?(): void;
}
interface OrtSession {
  run(feeds: Record<string, OrtTensor>): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}

export interface OrtBackendOptions {
  /** ONNX Runtime execution provider: cpu, cuda (node) or wasm, webgpu (web) */
  provider: Exclude<BackendName, 'ref'>;
  /** intra-op threads; default: ONNX Runtime's choice */
  threads?: number;
  /** write an ONNX Runtime profile (JSON) with this file prefix when the graph is disposed */
  profilePrefix?: string;
}

/** Runs IR graphs on ONNX Runtime, emitting ONNX with weights as in-memory external data. */
export function createOrtBackend(ort: OrtModule, opts: OrtBackendOptions): Backend {
  return {
    name: opts.provider,
    async compile(graph) {
      const { model, externalData } = emitOnnx(graph);
      const sessionOptions: Record<string, unknown> = {
        executionProviders: [opts.provider],
        graphOptimizationLevel: 'all',
        externalData,
      };
      if (opts.threads) sessionOptions.intraOpNumThreads = opts.threads;
      if (opts.profilePrefix)
        Object.assign(sessionOptions, { enableProfiling: true, profileFilePrefix: opts.profilePrefix });
      // Several stages may share a process: idle ORT workers must not spin and starve the others.
      sessionOptions.extra = {
        session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } },
      };
      let session: OrtSession;
      try {
        session = await ort.InferenceSession.create(model, sessionOptions);
      } catch (cause) {
        const msg = String((cause as Error)?.message ?? cause);
        if (opts.provider === 'cuda' || opts.provider === 'webgpu' || /provider/i.test(msg)) {
          throw new PipelineError(
            'backend_unavailable',
            `ONNX Runtime execution provider "${opts.provider}" is unavailable.`,
            {
              details: `${msg}\n${providerHint(opts.provider)}`,
              cause,
            },
          );
        }
        throw new PipelineError('bad_input', 'ONNX Runtime rejected the stage graph.', {
          details: msg,
          cause,
        });
      }
      return {
        async run(feeds) {
          const ortFeeds: Record<string, OrtTensor> = {};
          for (const [k, t] of Object.entries(feeds)) {
            const data =
              t.type === 'float32' && t.data instanceof Float64Array ? Float32Array.from(t.data) : t.data;
            ortFeeds[k] = new ort.Tensor(t.type, data, t.shape);
          }
          const out = await session.run(ortFeeds);
          const res: Record<string, HostTensor> = {};
          for (const [k, t] of Object.entries(out)) {
            res[k] = {
              type: t.type === 'int64' ? 'int64' : 'float32',
              shape: [...t.dims],
              data: t.data as Float32Array,
            };
          }
          return res;
        },
        dispose: async () => {
          if (opts.profilePrefix) (session as unknown as { endProfiling(): void }).endProfiling();
          await session.release();
        },
      };
    },
  };
}

function providerHint(provider: string): string {
  if (provider === 'cuda') {
    return 'onnxruntime-node downloads its CUDA libraries in its install script, which this workspace skips. Enable it with `allowBuilds: { onnxruntime-node: true }` in pnpm-workspace.yaml (or `ONNXRUNTIME_NODE_INSTALL_CUDA=v12 npm rebuild onnxruntime-node`) on a machine with CUDA 12 and cuDNN 9.';
  }
  if (provider === 'webgpu')
    return 'WebGPU needs a browser with navigator.gpu, or a Vulkan driver for onnxruntime-node.';
  return '';
}
