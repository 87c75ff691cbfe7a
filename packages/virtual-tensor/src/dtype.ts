import { VirtualTensorError } from './errors';

/** Element types this package stores. Raw bytes are always little-endian. */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'i64' | 'u8' | 'i8' | 'bool';

/** Every supported {@link DType}. */
export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'i8', 'bool'];

/** Floating-point dtypes accepted for weight conversion. */
export type FloatDType = 'f32' | 'f16' | 'bf16';

const ITEM_SIZE: Record<DType, number> = { f32: 4, f16: 2, bf16: 2, i32: 4, i64: 8, u8: 1, i8: 1, bool: 1 };

const TO_SAFETENSORS: Record<DType, string> = {
  f32: 'F32',
  f16: 'F16',
  bf16: 'BF16',
  i32: 'I32',
  i64: 'I64',
  u8: 'U8',
  i8: 'I8',
  bool: 'BOOL',
};

const FROM_SAFETENSORS: Record<string, DType> = Object.fromEntries(
  Object.entries(TO_SAFETENSORS).map(([k, v]) => [v, k as DType]),
);

/** Bytes per element of `dtype`. */
export function itemSize(dtype: DType): number {
  return ITEM_SIZE[dtype];
}

/** True when `s` is a supported {@link DType}. */
export function isDType(s: unknown): s is DType {
  return typeof s === 'string' && Object.hasOwn(ITEM_SIZE, s);
}

/** Maps a {@link DType} to its safetensors spelling (`'f32'` → `'F32'`). */
export function toSafetensorsDType(dtype: DType): string {
  return TO_SAFETENSORS[dtype];
}

/**
 * Maps a safetensors dtype string (`'F32'`, `'BF16'`, …) to a {@link DType}.
 * @throws VirtualTensorError `UNKNOWN_DTYPE` for anything else (F64, F8_*, U16, …).
 */
export function fromSafetensorsDType(s: string): DType {
  const d = Object.hasOwn(FROM_SAFETENSORS, s) ? FROM_SAFETENSORS[s] : undefined;
  if (!d) {
    throw new VirtualTensorError('UNKNOWN_DTYPE', `Unsupported safetensors dtype "${s}".`, {
      details: `Supported: ${Object.values(TO_SAFETENSORS).join(', ')}.`,
      meta: { dtype: s },
    });
  }
  return d;
}

/**
 * Number of elements of `shape` (1 for a scalar `[]`).
 * @throws VirtualTensorError `SHAPE_MISMATCH` when a dimension is not a non-negative safe integer.
 */
export function numElements(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new VirtualTensorError('SHAPE_MISMATCH', `Invalid shape [${shape.join(', ')}].`, {
        details: 'Dimensions must be non-negative integers.',
      });
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) {
    throw new VirtualTensorError('SHAPE_MISMATCH', `Shape [${shape.join(', ')}] has too many elements.`);
  }
  return n;
}

/** Byte length of a tensor of `dtype` and `shape`. */
export function byteLength(dtype: DType, shape: readonly number[]): number {
  return numElements(shape) * ITEM_SIZE[dtype];
}
