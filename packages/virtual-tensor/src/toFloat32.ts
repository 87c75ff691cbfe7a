import { byteLength, type DType, type FloatDType, numElements } from './dtype';
import { VirtualTensorError } from './errors';
import { decodeBf16, decodeF16, encodeHalf } from './halfFloat';
import type { TensorEntry } from './safetensors';

/** True on little-endian hosts (all mainstream ones); typed-array views are used only there. */
const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Returns the tensor as a `Float32Array`.
 *
 * - `f32` with a 4-byte-aligned view: a zero-copy view over `entry.data`
 *   (writes go through to the source bytes);
 * - `f32` unaligned: an aligned copy;
 * - `f16`/`bf16`: converted exactly (every half value is representable);
 * - integer/bool dtypes: converted numerically (i64 may lose precision above 2^24).
 */
export function toFloat32(entry: TensorEntry): Float32Array {
  const n = numElements(entry.shape);
  const need = byteLength(entry.dtype, entry.shape);
  if (entry.data.length !== need) {
    throw new VirtualTensorError('SHAPE_MISMATCH', 'Tensor byte length does not match its shape.', {
      meta: { expected: need, actual: entry.data.length },
    });
  }
  const { data } = entry;
  switch (entry.dtype) {
    case 'f32': {
      if (LITTLE_ENDIAN && data.byteOffset % 4 === 0)
        return new Float32Array(data.buffer, data.byteOffset, n);
      const out = new Float32Array(n);
      if (LITTLE_ENDIAN) new Uint8Array(out.buffer).set(data);
      else {
        const dv = new DataView(data.buffer, data.byteOffset, data.length);
        for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
      }
      return out;
    }
    case 'f16': {
      const out = new Float32Array(n);
      decodeF16(data, out);
      return out;
    }
    case 'bf16': {
      const out = new Float32Array(n);
      decodeBf16(data, out);
      return out;
    }
    default:
      return Float32Array.from(readInts(entry.dtype, data, n));
  }
}

function readInts(dtype: DType, data: Uint8Array, n: number): number[] {
  const dv = new DataView(data.buffer, data.byteOffset, data.length);
  const out = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    switch (dtype) {
      case 'i32':
        out[i] = dv.getInt32(4 * i, true);
        break;
      case 'i64':
        out[i] = Number(dv.getBigInt64(8 * i, true));
        break;
      case 'i8':
        out[i] = dv.getInt8(i);
        break;
      default:
        out[i] = data[i]!;
    }
  }
  return out;
}

/**
 * Wraps float32 values as a {@link TensorEntry} of `dtype` (default `f32`).
 * `f32` is a zero-copy view of `data`'s bytes; `f16`/`bf16` round to nearest even.
 * @throws VirtualTensorError `SHAPE_MISMATCH` when `shape` does not hold `data.length` elements.
 */
export function float32ToEntry(data: Float32Array, shape: number[], dtype: FloatDType = 'f32'): TensorEntry {
  if (numElements(shape) !== data.length) {
    throw new VirtualTensorError('SHAPE_MISMATCH', 'Shape does not match the number of values.', {
      details: `[${shape.join(', ')}] vs ${data.length} values.`,
    });
  }
  if (dtype === 'f32') {
    if (LITTLE_ENDIAN)
      return {
        dtype,
        shape: [...shape],
        data: new Uint8Array(data.buffer, data.byteOffset, data.byteLength),
      };
    const out = new Uint8Array(data.length * 4);
    const dv = new DataView(out.buffer);
    for (let i = 0; i < data.length; i++) dv.setFloat32(4 * i, data[i]!, true);
    return { dtype, shape: [...shape], data: out };
  }
  if (dtype !== 'f16' && dtype !== 'bf16') {
    throw new VirtualTensorError('UNKNOWN_DTYPE', `Cannot convert float32 to "${String(dtype)}".`);
  }
  const out = new Uint8Array(data.length * 2);
  encodeHalf(data, out, dtype === 'bf16');
  return { dtype, shape: [...shape], data: out };
}

/** Alias of {@link float32ToEntry}. */
export const fromFloat32 = float32ToEntry;

/**
 * Converts a floating-point entry to another float dtype. Returns `entry`
 * itself when the dtype already matches.
 */
export function convertEntry(entry: TensorEntry, dtype: FloatDType): TensorEntry {
  if (entry.dtype === dtype) return entry;
  if (entry.dtype !== 'f32' && entry.dtype !== 'f16' && entry.dtype !== 'bf16') {
    throw new VirtualTensorError('UNKNOWN_DTYPE', `Cannot convert ${entry.dtype} to ${dtype}.`, {
      details: 'Only floating-point tensors are converted.',
    });
  }
  return float32ToEntry(toFloat32(entry), entry.shape, dtype);
}
