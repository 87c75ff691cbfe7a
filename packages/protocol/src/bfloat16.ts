/** bfloat16 bits → binary32 bits (exact: bf16 is the top half of an f32). */
export function bfloat16BitsToFloat32Bits(b: number): number {
  return (b << 16) >>> 0;
}

/** binary32 bits → bfloat16 bits, round to nearest even; NaN stays a quiet NaN. */
export function float32BitsToBfloat16Bits(x: number): number {
  if ((x & 0x7f800000) === 0x7f800000 && (x & 0x7fffff) !== 0) return ((x >>> 16) | 0x40) & 0xffff;
  const rounding = 0x7fff + ((x >>> 16) & 1);
  return ((x + rounding) >>> 16) & 0xffff;
}

/** Widens bfloat16 patterns to float32 values (exact). */
export function bfloat16ToFloat32(bits: Uint16Array): Float32Array {
  const out = new Float32Array(bits.length);
  const view = new Uint32Array(out.buffer);
  for (let i = 0; i < bits.length; i++) view[i] = bits[i]! << 16;
  return out;
}

/** Narrows float32 values to bfloat16 patterns, round to nearest even. */
export function float32ToBfloat16(values: Float32Array): Uint16Array {
  const src = new Uint32Array(values.buffer, values.byteOffset, values.length);
  const out = new Uint16Array(values.length);
  for (let i = 0; i < values.length; i++) out[i] = float32BitsToBfloat16Bits(src[i]!);
  return out;
}
