/**
 * Bit-level conversions between IEEE-754 binary32 and binary16 / bfloat16.
 * All rounding is round-to-nearest-even; NaN stays NaN, ±Inf stays ±Inf.
 */

let f16Table: Float32Array | undefined;

/** Lookup table of all 65536 binary16 values as float32 (256 KiB, built on first use). */
function f16ToF32Table(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  const bits = new Uint32Array(table.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0) {
      // zero or subnormal: mant × 2^-24, exact in float32
      table[h] = (sign ? -1 : 1) * mant * 2 ** -24;
    } else if (exp === 0x1f) {
      bits[h] = (sign | 0x7f800000 | (mant << 13)) >>> 0;
    } else {
      bits[h] = (sign | ((exp + 112) << 23) | (mant << 13)) >>> 0;
    }
  }
  f16Table = table;
  return table;
}

/** Converts one binary16 bit pattern to a number. */
export function f16BitsToNumber(h: number): number {
  return f16ToF32Table()[h & 0xffff]!;
}

/** Converts float32 bits to binary16 bits (round-to-nearest-even, overflow → ±Inf). */
export function f32BitsToF16Bits(f: number): number {
  const sign = (f >>> 16) & 0x8000;
  const fExp = f & 0x7f800000;
  if (fExp >= 0x47800000) {
    if (fExp === 0x7f800000) {
      const sig = f & 0x7fffff;
      if (sig !== 0) {
        let ret = 0x7c00 + (sig >>> 13);
        if (ret === 0x7c00) ret++; // keep it a NaN
        return sign | ret;
      }
    }
    return sign | 0x7c00;
  }
  if (fExp <= 0x38000000) {
    if (fExp < 0x33000000) return sign; // below half the smallest subnormal: ±0
    const e = fExp >>> 23;
    let sig = 0x800000 + (f & 0x7fffff);
    sig >>>= 113 - e;
    // round half to even, counting the bits lost by the extra subnormal shift
    if ((sig & 0x3fff) !== 0x1000 || (f & 0x7ff) !== 0) sig += 0x1000;
    return sign | (sig >>> 13);
  }
  const hExp = (fExp - 0x38000000) >>> 13;
  let sig = f & 0x7fffff;
  if ((sig & 0x3fff) !== 0x1000) sig += 0x1000;
  // a carry out of the significand increments the exponent, possibly to Inf: correct
  return (sign | (hExp + (sig >>> 13))) & 0xffff;
}

/** Converts float32 bits to bfloat16 bits (round-to-nearest-even; NaN stays quiet NaN). */
export function f32BitsToBf16Bits(f: number): number {
  if ((f & 0x7f800000) === 0x7f800000 && (f & 0x7fffff) !== 0) return ((f >>> 16) | 0x40) & 0xffff;
  return ((f + 0x7fff + ((f >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Decodes `n` binary16 values from little-endian bytes into `out`. */
export function decodeF16(src: Uint8Array, out: Float32Array): void {
  const table = f16ToF32Table();
  const n = out.length;
  if (src.byteOffset % 2 === 0) {
    const u16 = new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) out[i] = table[u16[i]!]!;
  } else {
    for (let i = 0; i < n; i++) out[i] = table[src[2 * i]! | (src[2 * i + 1]! << 8)]!;
  }
}

/** Decodes `n` bfloat16 values from little-endian bytes into `out`. */
export function decodeBf16(src: Uint8Array, out: Float32Array): void {
  const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
  const n = out.length;
  if (src.byteOffset % 2 === 0) {
    const u16 = new Uint16Array(src.buffer, src.byteOffset, n);
    for (let i = 0; i < n; i++) bits[i] = u16[i]! << 16;
  } else {
    for (let i = 0; i < n; i++) bits[i] = (src[2 * i]! | (src[2 * i + 1]! << 8)) << 16;
  }
}

/** Encodes float32 values as little-endian binary16 (or bfloat16 when `bf16`) into `out` (2 bytes each). */
export function encodeHalf(src: Float32Array, out: Uint8Array, bf16: boolean): void {
  const bits = new Uint32Array(src.buffer, src.byteOffset, src.length);
  const n = src.length;
  for (let i = 0; i < n; i++) {
    const f = bits[i]!;
    const h = bf16 ? f32BitsToBf16Bits(f) : f32BitsToF16Bits(f);
    out[2 * i] = h & 0xff;
    out[2 * i + 1] = h >>> 8;
  }
}
