import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { bfloat16ToFloat32, float32ToBfloat16 } from '../src/bfloat16';
import { float16BitsToNumber, float16ToFloat32, float32ToFloat16, numberToFloat16Bits } from '../src/float16';

const f32 = (bits: number) => new Float32Array(new Uint32Array([bits]).buffer)[0]!;

describe('float16', () => {
  it('widens every pattern exactly and narrows it back unchanged (exhaustive)', () => {
    const all = new Uint16Array(65_536).map((_, i) => i);
    const back = float32ToFloat16(float16ToFloat32(all));
    const wrong: number[] = [];
    for (let i = 0; i < 65_536; i++) {
      const nan = (i & 0x7c00) === 0x7c00 && (i & 0x3ff) !== 0;
      if (nan ? (back[i]! & 0x7e00) !== 0x7e00 : back[i] !== i) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });

  it('knows a few reference values', () => {
    expect(float16BitsToNumber(0x3c00)).toBe(1);
    expect(float16BitsToNumber(0xc000)).toBe(-2);
    expect(float16BitsToNumber(0x7bff)).toBe(65_504);
    expect(float16BitsToNumber(0x0001)).toBe(2 ** -24);
    expect(float16BitsToNumber(0x7c00)).toBe(Number.POSITIVE_INFINITY);
    expect(Object.is(float16BitsToNumber(0x8000), -0)).toBe(true);
    expect(numberToFloat16Bits(65_520)).toBe(0x7c00); // rounds up to infinity
    expect(numberToFloat16Bits(65_519)).toBe(0x7bff);
    expect(numberToFloat16Bits(2 ** -25)).toBe(0); // tie to even (zero)
    expect(numberToFloat16Bits(2 ** -25 * 3)).toBe(2); // tie to even (2)
  });

  it('rounds every float32 to the nearest float16, ties to even (property)', () => {
    fc.assert(
      fc.property(fc.float({ noNaN: true, min: -70_000, max: 70_000 }), (x) => {
        const h = numberToFloat16Bits(x);
        const y = float16BitsToNumber(h);
        if (!Number.isFinite(y)) {
          expect(Math.abs(x)).toBeGreaterThanOrEqual(65_520);
          return;
        }
        const err = Math.abs(y - x);
        for (const n of [h - 1, h + 1]) {
          if ((n & 0x7fff) >= 0x7c00 || n < 0 || (n & 0x8000) !== (h & 0x8000)) continue;
          const other = Math.abs(float16BitsToNumber(n) - x);
          expect(err).toBeLessThanOrEqual(other);
          if (err === other) expect(h & 1).toBe(0);
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('bfloat16', () => {
  it('widens by shifting and narrows back unchanged (exhaustive)', () => {
    const all = new Uint16Array(65_536).map((_, i) => i);
    const wide = bfloat16ToFloat32(all);
    const wideBits = new Uint32Array(wide.buffer);
    const back = float32ToBfloat16(wide);
    const wrong: number[] = [];
    for (let i = 0; i < 65_536; i++) {
      const nan = (i & 0x7f80) === 0x7f80 && (i & 0x7f) !== 0;
      if (wideBits[i]! >>> 16 !== i) wrong.push(i);
      if (nan ? (back[i]! & 0x7fc0) !== 0x7fc0 : back[i] !== i) wrong.push(i);
    }
    expect(wrong).toEqual([]);
  });

  it('rounds to nearest even', () => {
    const r = (bits: number) => float32ToBfloat16(new Float32Array([f32(bits)]))[0];
    expect(r(0x3f808000)).toBe(0x3f80); // tie, even stays
    expect(r(0x3f818000)).toBe(0x3f82); // tie, odd rounds up
    expect(r(0x3f808001)).toBe(0x3f81); // above the tie
    expect(r(0x7f7fffff)).toBe(0x7f80); // max float rounds to infinity
    expect(r(0x7fc00001)).toBe(0x7fc0); // NaN stays NaN
  });
});
