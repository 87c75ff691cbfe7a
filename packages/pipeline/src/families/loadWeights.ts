import { parseSafetensors, type TensorEntry, toFloat32 } from '@ailo/virtual-tensor';
import { PipelineError } from '../errors';
import type { Weight } from './weights';

/** Decodes safetensors files into float32 weights by HF name (f16/bf16 widened). */
export function weightsFromSafetensors(files: Uint8Array[]): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const bytes of files)
    for (const [name, w] of weightsFromEntries(parseSafetensors(bytes).tensors)) out.set(name, w);
  return out;
}

/**
 * Float weights from raw tensor entries (safetensors or VirtualTensor chunks):
 * f16/bf16 widened, f32 kept as views; non-float tensors skipped; NaN/Inf rejected.
 */
export function weightsFromEntries(entries: Iterable<[string, TensorEntry]>): Map<string, Weight> {
  const out = new Map<string, Weight>();
  for (const [name, entry] of entries) {
    if (entry.dtype !== 'f32' && entry.dtype !== 'f16' && entry.dtype !== 'bf16') continue;
    const data = toFloat32(entry);
    for (let i = 0; i < data.length; i++) {
      if (!Number.isFinite(data[i]!))
        throw new PipelineError('non_finite', `Weight ${name} holds a non-finite value at index ${i}`);
    }
    out.set(name, { shape: [...entry.shape], data });
  }
  return out;
}
