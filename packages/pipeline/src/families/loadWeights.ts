import { parseSafetensors, toFloat32 } from '@ailo/virtual-tensor';
import { PipelineError } from '../errors';
import type { Weight } from './weights';

/** Decodes safetensors files into float32 weights by HF name (f16/bf16 widened). */
export function weightsFromSafetensors(files: Uint8Array[]): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const bytes of files) {
    const file = parseSafetensors(bytes);
    for (const [name, entry] of file.tensors) {
      if (entry.dtype !== 'f32' && entry.dtype !== 'f16' && entry.dtype !== 'bf16') continue;
      const data = toFloat32(entry);
      for (let i = 0; i < data.length; i++) {
        if (!Number.isFinite(data[i]!)) {
          throw new PipelineError('non_finite', `Weight ${name} holds a non-finite value at index ${i}`);
        }
      }
      out.set(name, { shape: [...entry.shape], data });
    }
  }
  return out;
}
