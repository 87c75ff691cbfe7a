/** Tensor element types (spec §4). Bytes are always little-endian on the wire. */
export type DType = 'f32' | 'f16' | 'bf16' | 'i32' | 'i64' | 'u8' | 'i8' | 'bool';

/** Typed array holding the elements of each dtype; f16/bf16 hold raw 16-bit patterns. */
export interface DTypeArrays {
  f32: Float32Array;
  f16: Uint16Array;
  bf16: Uint16Array;
  i32: Int32Array;
  i64: BigInt64Array;
  u8: Uint8Array;
  i8: Int8Array;
  /** each byte is 0 or 1 */
  bool: Uint8Array;
}

/** Wire codes of the dtypes, index = code (spec §4 table). */
export const DTYPES: readonly DType[] = ['f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'i8', 'bool'];

const CODES: Record<DType, number> = { f32: 0, f16: 1, bf16: 2, i32: 3, i64: 4, u8: 5, i8: 6, bool: 7 };
const ITEM_BYTES: Record<DType, number> = { f32: 4, f16: 2, bf16: 2, i32: 4, i64: 8, u8: 1, i8: 1, bool: 1 };

type ArrayCtor = {
  new (length: number): DTypeArrays[DType];
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): DTypeArrays[DType];
};

/** Typed array constructor of each dtype. */
export const DTYPE_ARRAY: Record<DType, ArrayCtor> = {
  f32: Float32Array,
  f16: Uint16Array,
  bf16: Uint16Array,
  i32: Int32Array,
  i64: BigInt64Array,
  u8: Uint8Array,
  i8: Int8Array,
  bool: Uint8Array,
} as unknown as Record<DType, ArrayCtor>;

/** Whether `value` names a dtype. */
export function isDType(value: unknown): value is DType {
  return typeof value === 'string' && Object.hasOwn(CODES, value);
}

/** Wire code (0–7) of a dtype. */
export function dtypeCode(dtype: DType): number {
  return CODES[dtype];
}

/** The dtype with wire code `code`, or undefined for an unknown code. */
export function dtypeOfCode(code: number): DType | undefined {
  return DTYPES[code];
}

/** Bytes per element. */
export function itemBytes(dtype: DType): number {
  return ITEM_BYTES[dtype];
}
