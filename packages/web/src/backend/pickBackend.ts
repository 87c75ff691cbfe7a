import type { Backend } from '@ailo/pipeline';
import { createWebBackend } from '@ailo/pipeline/web';
import { messageOf } from '../errors';

/** Which ONNX Runtime Web execution provider to use. `auto`: WebGPU when an adapter exists, else WASM. */
export type BackendChoice = 'auto' | 'wasm' | 'webgpu';

/** The backend in use and, when WebGPU was wanted but is missing, why. */
export interface PickedBackend {
  backend: Backend;
  name: 'wasm' | 'webgpu';
  /** e.g. "WebGPU is not available in this browser." when `auto`/`webgpu` fell back to WASM */
  fallbackReason?: string;
  /** WASM threads can run (the page is cross-origin isolated) */
  isolated: boolean;
}

/** URL of onnxruntime-web's runtime files, copied beside the app at build time. */
export function ortWasmPaths(base: string | URL): string {
  return new URL('ort/', base).href;
}

/**
 * Creates the backend: WebGPU when asked (or `auto`) and an adapter exists, else WASM
 * (multi-threaded when the page is cross-origin isolated).
 */
export async function pickBackend(choice: BackendChoice, wasmPaths: string): Promise<PickedBackend> {
  const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
  let fallbackReason: string | undefined;
  if (choice !== 'wasm') {
    try {
      const backend = await createWebBackend('webgpu', { wasmPaths });
      return { backend, name: 'webgpu', isolated };
    } catch (e) {
      fallbackReason = messageOf(e);
    }
  }
  const backend = await createWebBackend('wasm', { wasmPaths });
  return { backend, name: 'wasm', isolated, ...(fallbackReason ? { fallbackReason } : {}) };
}
