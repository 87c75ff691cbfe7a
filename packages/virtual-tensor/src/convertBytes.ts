import type { DType } from './dtype';
import { VirtualTensorError } from './errors';
import { decodeBf16, decodeF16, encodeHalf } from './halfFloat';

const isFloat = (d: DType) => d === 'f32' || d === 'f16' || d === 'bf16';

/**
 * Converts whole elements from `src` (dtype `from`) into `dst` (dtype `to`).
 * Float dtypes convert among themselves (round-to-nearest-even when
 * narrowing); equal dtypes copy. `dst` must be 4-byte aligned when `to` is
 * f32, `src` when `from` is f32 and `to` is narrower.
 */
export function convertBytes(src: Uint8Array, from: DType, dst: Uint8Array, to: DType): void {
  if (from === to) {
    dst.set(src);
    return;
  }
  if (!isFloat(from) || !isFloat(to)) {
    throw new VirtualTensorError('UNKNOWN_DTYPE', `Cannot convert ${from} to ${to}.`);
  }
  const n = src.length / (from === 'f32' ? 4 : 2);
  let f32: Float32Array;
  if (from === 'f32') {
    f32 =
      src.byteOffset % 4 === 0
        ? new Float32Array(src.buffer, src.byteOffset, n)
        : new Float32Array(src.slice().buffer);
  } else {
    f32 = to === 'f32' ? new Float32Array(dst.buffer, dst.byteOffset, n) : new Float32Array(n);
    (from === 'f16' ? decodeF16 : decodeBf16)(src, f32);
    if (to === 'f32') return;
  }
  encodeHalf(f32, dst, to === 'bf16');
}

/** The dtype a tensor is stored as when packing with target float dtype `target`. */
export function packedDType(source: DType, target: DType | undefined): DType {
  return target !== undefined && isFloat(source) ? target : source;
}
