import type { Backend } from './backends/backend';
import { createOrtBackend, type OrtModule } from './backends/ortBackend';
import { PipelineError } from './errors';

export * from './index';

/**
 * Creates an onnxruntime-web backend: `webgpu` when the browser exposes an
 * adapter, `wasm` otherwise (multi-threaded when the page is cross-origin
 * isolated). Also runs in Node (WASM) for tests.
 */
export async function createWebBackend(
  provider: 'wasm' | 'webgpu' = 'wasm',
  opts: { threads?: number; wasmPaths?: string } = {},
): Promise<Backend> {
  const nav = (globalThis as { navigator?: { gpu?: { requestAdapter(): Promise<unknown> } } }).navigator;
  if (provider === 'webgpu' && !(nav?.gpu && (await nav.gpu.requestAdapter()))) {
    throw new PipelineError('backend_unavailable', 'WebGPU is not available in this browser.', {
      details: 'navigator.gpu is missing or has no adapter; use the wasm backend.',
    });
  }
  const ort = (await import('onnxruntime-web')) as unknown as OrtModule & {
    env: { wasm: { numThreads?: number; wasmPaths?: string } };
  };
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  ort.env.wasm.numThreads =
    opts.threads ??
    (isolated ? Math.min(4, (nav as { hardwareConcurrency?: number })?.hardwareConcurrency ?? 1) : 1);
  // where the page serves onnxruntime-web's .wasm/.mjs runtime files (bundlers do not copy them)
  if (opts.wasmPaths) ort.env.wasm.wasmPaths = opts.wasmPaths;
  return createOrtBackend(ort, { provider });
}
