import { DEFAULT_INT8_BLOCK, INT8_MAX } from '../constants';
import { FedAvgError } from '../errors';

/** int8 values with one float32 scale per block of `blockSize` elements. */
export interface Int8Blocks {
  /** q_i ∈ [−127, 127] */
  data: Int8Array;
  /** scale_b = max_{i ∈ b} |x_i| / 127 (0 for an all-zero block) */
  scales: Float32Array;
  blockSize: number;
}

/**
 * Symmetric per-block int8 quantization: q_i = round(x_i / scale_b), ties away
 * from zero, scale_b = max |x| / 127 over the block.
 *
 * Error (measured in tests): |x_i − q_i·scale_b| ≤ scale_b / 2 (+ float32
 * rounding of the product), i.e. ≤ max_b|x| / 254 per element.
 * @throws FedAvgError `NON_FINITE` for NaN/±Infinity, `INVALID_OPTION` for a bad block size
 */
export function encodeInt8(x: Float32Array, blockSize: number = DEFAULT_INT8_BLOCK): Int8Blocks {
  if (!Number.isSafeInteger(blockSize) || blockSize < 1) {
    throw new FedAvgError('INVALID_OPTION', 'blockSize must be a positive integer.', { meta: { blockSize } });
  }
  const n = x.length;
  const blocks = Math.ceil(n / blockSize);
  const data = new Int8Array(n);
  const scales = new Float32Array(blocks);
  for (let b = 0; b < blocks; b++) {
    const lo = b * blockSize;
    const hi = Math.min(n, lo + blockSize);
    let max = 0;
    for (let i = lo; i < hi; i++) {
      const a = Math.abs(x[i]!);
      if (!(a <= Number.MAX_VALUE)) {
        throw new FedAvgError('NON_FINITE', 'Cannot compress a non-finite value.', {
          meta: { index: i, value: x[i] },
        });
      }
      if (a > max) max = a;
    }
    const scale = Math.fround(max / INT8_MAX);
    scales[b] = scale;
    if (scale === 0) continue;
    for (let i = lo; i < hi; i++) {
      const r = x[i]! / scale;
      const q = Math.sign(r) * Math.floor(Math.abs(r) + 0.5);
      data[i] = Math.min(INT8_MAX, Math.max(-INT8_MAX, q));
    }
  }
  return { data, scales, blockSize };
}

/** x̂_i = q_i · scale_b as float32. */
export function decodeInt8(enc: Int8Blocks): Float32Array {
  const { data, scales, blockSize } = enc;
  const out = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) out[i] = data[i]! * scales[Math.floor(i / blockSize)]!;
  return out;
}
