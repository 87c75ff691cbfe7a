import { describe, expect, it } from 'vitest';
import {
  compressTensor,
  decompressTensor,
  decompressUpdate,
  ErrorFeedbackCompressor,
} from '../src/compression/ErrorFeedback';
import { decodeFp16, encodeFp16 } from '../src/compression/fp16';
import { decodeInt8, encodeInt8 } from '../src/compression/int8Block';
import { SeededRng } from '../src/SeededRng';

function logUniform(rng: SeededRng, n: number, lo: number, hi: number): Float32Array {
  return Float32Array.from({ length: n }, () => {
    const mag = Math.exp(Math.log(lo) + rng.nextFloat() * (Math.log(hi) - Math.log(lo)));
    return rng.nextFloat() < 0.5 ? -mag : mag;
  });
}

describe('fp16 update encoding', () => {
  const rng = new SeededRng('fp16');
  const x = logUniform(rng, 50_000, 2 ** -30, 60_000);

  it('rounds to the nearest binary16 (no neighbour is closer) and meets the documented bound', () => {
    const h = encodeFp16(x);
    const y = decodeFp16(h);
    let worstRel = 0;
    let worstSub = 0;
    for (let i = 0; i < x.length; i++) {
      const err = Math.abs(x[i]! - y[i]!);
      for (const nb of [h[i]! - 1, h[i]! + 1]) {
        if ((nb & 0x7c00) === 0x7c00 || nb < 0 || nb > 0xffff) continue;
        expect(err).toBeLessThanOrEqual(Math.abs(x[i]! - decodeFp16(new Uint16Array([nb]))[0]!));
      }
      if (Math.abs(x[i]!) >= 2 ** -14) worstRel = Math.max(worstRel, err / Math.abs(x[i]!));
      else worstSub = Math.max(worstSub, err);
    }
    expect(worstRel).toBeLessThanOrEqual(2 ** -11);
    expect(worstSub).toBeLessThanOrEqual(2 ** -25);
    // the bound is tight: measured worst case is within a factor 1.1 of it
    expect(worstRel).toBeGreaterThan(2 ** -11 / 1.1);
  });

  it('saturates beyond ±65504 instead of overflowing, rejects NaN/Inf', () => {
    expect([...decodeFp16(encodeFp16(new Float32Array([1e6, -70000, 65519])))]).toEqual([
      65504, -65504, 65504,
    ]);
    expect(() => encodeFp16(new Float32Array([1, Number.NaN]))).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
    expect(() => encodeFp16(new Float32Array([Number.POSITIVE_INFINITY]))).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
  });
});

describe('int8 per-block encoding', () => {
  for (const blockSize of [1, 7, 64, 1000]) {
    it(`error ≤ scale/2 per element, block ${blockSize}`, () => {
      const rng = new SeededRng(`int8-${blockSize}`);
      const x = logUniform(rng, 10_007, 1e-6, 1e3);
      x.fill(0, 100, 1200); // whole zero blocks for small block sizes
      const enc = encodeInt8(x, blockSize);
      expect(enc.scales.length).toBe(Math.ceil(x.length / blockSize));
      const y = decodeInt8(enc);
      let worst = 0;
      for (let i = 0; i < x.length; i++) {
        const scale = enc.scales[Math.floor(i / blockSize)]!;
        expect(Math.abs(enc.data[i]!)).toBeLessThanOrEqual(127);
        const err = Math.abs(x[i]! - y[i]!);
        if (scale === 0) expect(err).toBe(0);
        else worst = Math.max(worst, err / (scale / 2));
      }
      expect(worst).toBeLessThanOrEqual(1 + 2 ** -20);
      if (blockSize > 1) expect(worst).toBeGreaterThan(0.9);
    });
  }

  it('represents the block maximum to float32 precision', () => {
    const x = new Float32Array([0.5, -3, 1, 2]);
    const y = decodeInt8(encodeInt8(x, 4));
    expect(Math.abs(y[1]! + 3)).toBeLessThan(3 * 2 ** -22);
  });

  it('rejects bad input', () => {
    expect(() => encodeInt8(new Float32Array([Number.NaN]))).toThrow(
      expect.objectContaining({ code: 'NON_FINITE' }),
    );
    expect(() => encodeInt8(new Float32Array([1]), 0)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
    expect(() => compressTensor(new Float32Array(1), 'int4' as never)).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});

describe('error feedback', () => {
  for (const codec of ['fp16', 'int8'] as const) {
    it(`${codec}: Σ decoded = Σ Δ − e_T, residual bounded by one step; beats plain compression`, () => {
      const rng = new SeededRng(`ef-${codec}`);
      const n = 256;
      const ef = new ErrorFeedbackCompressor({ codec, blockSize: 64 });
      const sumTrue = new Float64Array(n);
      const sumEf = new Float64Array(n);
      const sumPlain = new Float64Array(n);
      const T = 2000;
      for (let t = 0; t < T; t++) {
        // one large coordinate per block and many tiny ones: plain int8 rounds the tiny ones to 0 forever
        const x = Float32Array.from({ length: n }, (_, i) =>
          i % 64 === 0 ? 1000 : 1e-2 * (2 + rng.nextFloat()),
        );
        const wire = ef.compress(new Map([['w', x]]));
        const dec = decompressUpdate(wire).get('w')!;
        const plain = decompressTensor(compressTensor(x, codec, 64));
        for (let i = 0; i < n; i++) {
          sumTrue[i] = sumTrue[i]! + x[i]!;
          sumEf[i] = sumEf[i]! + dec[i]!;
          sumPlain[i] = sumPlain[i]! + plain[i]!;
        }
      }
      const e = ef.residual('w')!;
      let efDrift = 0;
      let plainDrift = 0;
      for (let i = 0; i < n; i++) {
        // telescoping identity, up to float32 rounding of p and e each round
        expect(Math.abs(sumTrue[i]! - sumEf[i]! - e[i]!)).toBeLessThan(T * 2 ** -24 * 1004 * 2);
        efDrift = Math.max(efDrift, Math.abs(sumTrue[i]! - sumEf[i]!));
        plainDrift = Math.max(plainDrift, Math.abs(sumTrue[i]! - sumPlain[i]!));
      }
      // one-step bound for the residual: int8 scale/2 = (1000 + max e)/254; fp16 2^-11 relative
      const stepBound = codec === 'int8' ? 1001 / 254 : 1001 * 2 ** -11;
      expect(Math.max(...e.map(Math.abs))).toBeLessThanOrEqual(stepBound);
      if (codec === 'int8') expect(plainDrift).toBeGreaterThan(10 * efDrift);
    });
  }

  it('restarts the residual when a tensor changes length', () => {
    const ef = new ErrorFeedbackCompressor({ codec: 'int8', blockSize: 2 });
    ef.compress(new Map([['w', new Float32Array([1, 0.001])]]));
    expect(ef.residual('w')!.length).toBe(2);
    ef.compress(new Map([['w', new Float32Array([1, 2, 3])]]));
    expect(ef.residual('w')!.length).toBe(3);
    expect(() => new ErrorFeedbackCompressor({ codec: 'zip' as never })).toThrow(
      expect.objectContaining({ code: 'INVALID_OPTION' }),
    );
  });
});
