import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../src/decodeValue';
import { DTYPES, type DType, dtypeCode } from '../src/dtype';
import { encodeValue } from '../src/encodeValue';
import { elementCount, isTensor, type Tensor, tensor } from '../src/tensor';
import { tensorArb } from './arbitraries';
import { codeOf, hex, unhex } from './codeOf';

/** ext payload: dtype ‖ ndim ‖ dims (u32 LE) ‖ data, wrapped in the shortest ext header. */
function ext(dtype: number, dims: number[], data: string): string {
  const payload =
    dtype.toString(16).padStart(2, '0') +
    dims.length.toString(16).padStart(2, '0') +
    dims.map((d) => Buffer.from(new Uint32Array([d]).buffer).toString('hex')).join('') +
    data;
  const n = payload.length / 2;
  const fix: Record<number, string> = { 1: 'd4', 2: 'd5', 4: 'd6', 8: 'd7', 16: 'd8' };
  const head =
    fix[n] ?? (n <= 0xff ? `c7${n.toString(16).padStart(2, '0')}` : `c8${n.toString(16).padStart(4, '0')}`);
  return `${head}01${payload}`;
}

describe('tensor extension type 1 (spec §4)', () => {
  it('has the wire codes of the spec', () => {
    expect(DTYPES.map(dtypeCode)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(DTYPES).toEqual(['f32', 'f16', 'bf16', 'i32', 'i64', 'u8', 'i8', 'bool']);
  });

  it('lays out a f32 [2,3] tensor as dtype ‖ ndim ‖ u32 LE dims ‖ LE bytes', () => {
    const t = tensor('f32', [2, 3], new Float32Array([1, 2, 3, 4, 5, 6]));
    expect(hex(encodeValue(t))).toBe(
      'c7 22 01 00 02 02000000 03000000 0000803f 00000040 00004040 00008040 0000a040 0000c040'.replace(
        / /g,
        '',
      ),
    );
  });

  it('uses fixext when the payload is 1, 2, 4, 8 or 16 bytes', () => {
    expect(hex(encodeValue(tensor('u8', [2], new Uint8Array([7, 9]))))).toBe(
      'd701050102000000 0709'.replace(' ', ''),
    );
    expect(hex(encodeValue(tensor('f32', [], new Float32Array([1]))))).toBe('c7060100000000803f');
  });

  it('round-trips every dtype, shape and value (property)', () => {
    fc.assert(
      fc.property(tensorArb(DTYPES, 8), (t) => {
        const back = decodeValue(encodeValue(t)) as Tensor;
        expect(back.dtype).toBe(t.dtype);
        expect(back.shape).toEqual(t.shape);
        expect(back.data.constructor).toBe(t.data.constructor);
        expect(hex(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength))).toBe(
          hex(new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength)),
        );
      }),
      { numRuns: 400 },
    );
  });

  it('returns an aligned view when the data is aligned in the frame, an aligned copy otherwise', () => {
    const t = tensor('f32', [4], new Float32Array([1, 2, 3, 4]));
    const frame = encodeValue(t); // ext8 header (2) + type (1) + dtype, ndim (2) + dims (4): data at offset 9
    for (let shift = 0; shift < 8; shift++) {
      const buffer = new Uint8Array(frame.length + shift);
      buffer.set(frame, shift);
      const view = buffer.subarray(shift);
      const back = decodeValue(view) as Tensor;
      expect(back.data.byteOffset % 4).toBe(0);
      expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4]);
      const aligned = (shift + 9) % 4 === 0;
      expect(back.data.buffer === buffer.buffer).toBe(aligned);
    }
  });

  it('with inPlace, aligns misaligned data inside the frame instead of copying it', () => {
    const t = tensor('f32', [4], new Float32Array([1, 2, 3, 4]));
    const frame = encodeValue(t);
    for (let shift = 0; shift < 8; shift++) {
      const buffer = new Uint8Array(frame.length + shift);
      buffer.set(frame, shift);
      const back = decodeValue(buffer.subarray(shift), undefined, { inPlace: true }) as Tensor;
      expect(back.data.buffer).toBe(buffer.buffer);
      expect(back.data.byteOffset % 4).toBe(0);
      expect(Array.from(back.data as Float32Array)).toEqual([1, 2, 3, 4]);
    }
  });

  it('with inPlace, never moves data over an earlier view (copies instead)', () => {
    // [bin 3, i64 scalar]: only 5 header bytes separate the bin from the tensor data
    const value = [new Uint8Array([7, 8, 9]), tensor('i64', [], new BigInt64Array([-5n]))];
    const frame = encodeValue(value);
    for (let shift = 0; shift < 8; shift++) {
      const buffer = new Uint8Array(frame.length + shift);
      buffer.set(frame, shift);
      const [bin, t] = decodeValue(buffer.subarray(shift), undefined, { inPlace: true }) as [
        Uint8Array,
        Tensor,
      ];
      expect(Array.from(bin)).toEqual([7, 8, 9]);
      expect(Array.from(t.data as BigInt64Array)).toEqual([-5n]);
      expect(t.data.byteOffset % 8).toBe(0);
    }
  });

  it('returns i64 as BigInt64Array and f16/bf16 as raw Uint16Array', () => {
    const i64 = decodeValue(encodeValue(tensor('i64', [2], new BigInt64Array([-1n, 2n ** 62n])))) as Tensor;
    expect(i64.data).toBeInstanceOf(BigInt64Array);
    expect(Array.from(i64.data as BigInt64Array)).toEqual([-1n, 2n ** 62n]);
    for (const dtype of ['f16', 'bf16'] as const) {
      const t = decodeValue(encodeValue(tensor(dtype, [1], new Uint16Array([0x3c00])))) as Tensor;
      expect(t.data).toBeInstanceOf(Uint16Array);
    }
  });

  it('accepts zero-size dims and scalars', () => {
    const empty = decodeValue(unhex(ext(0, [0, 5], ''))) as Tensor;
    expect(empty.shape).toEqual([0, 5]);
    expect(empty.data.length).toBe(0);
    const scalar = decodeValue(unhex(ext(5, [], '2a'))) as Tensor;
    expect(scalar).toEqual({ dtype: 'u8', shape: [], data: new Uint8Array([42]) });
  });

  it('accepts rank 8 and rejects rank 9', () => {
    expect(codeOf(() => decodeValue(unhex(ext(5, [1, 1, 1, 1, 1, 1, 1, 1], '00'))))).toBe('no error');
    expect(codeOf(() => decodeValue(unhex(ext(5, [1, 1, 1, 1, 1, 1, 1, 1, 1], '00'))))).toBe('bad_frame');
  });

  it.each([
    ['unknown dtype 8', ext(8, [1], '00')],
    ['unknown dtype 255', ext(255, [1], '00')],
    ['payload one byte short', ext(0, [2], '0000803f000000')],
    ['payload one byte long', ext(0, [1], '0000803f00')],
    ['shape claims more elements than bytes', ext(3, [2, 2], '01000000')],
    ['payload shorter than its dims', 'd60105020100'],
    ['payload of one byte', 'd40100'],
    ['bool byte other than 0/1', ext(7, [2], '0102')],
  ])('rejects %s with bad_frame', (_name, h) => {
    expect(codeOf(() => decodeValue(unhex(h)))).toBe('bad_frame');
  });

  it('checks tensors built in code', () => {
    expect(codeOf(() => tensor('f32', [2], new Float32Array(3)))).toBe('bad_request');
    expect(codeOf(() => tensor('i32', [1], new Float32Array(1) as never))).toBe('bad_request');
    expect(codeOf(() => tensor('u8', [1, 1, 1, 1, 1, 1, 1, 1, 1], new Uint8Array(1)))).toBe('bad_request');
    expect(codeOf(() => tensor('u8', [-1], new Uint8Array(0)))).toBe('bad_request');
    expect(isTensor({ dtype: 'f64', shape: [], data: new Float64Array(1) })).toBe(false);
    expect(elementCount([])).toBe(1);
  });

  it('never aliases the caller data when encoding', () => {
    const data = new Float32Array([1, 2]);
    const frame = encodeValue(tensor('f32', [2], data));
    data[0] = 9;
    expect(Array.from((decodeValue(frame) as Tensor).data as Float32Array)).toEqual([1, 2]);
  });

  it('encodes typed arrays that are views at an offset', () => {
    const big = new Int32Array([9, 1, 2, 9]);
    const t = tensor('i32', [2], big.subarray(1, 3));
    expect(Array.from((decodeValue(encodeValue(t)) as Tensor).data as Int32Array)).toEqual([1, 2]);
  });

  it.each(DTYPES)('handles a large misaligned %s tensor', (dtype: DType) => {
    const t = decodeValue(
      encodeValue({ body: { x: 1 }, t: { dtype, shape: [1000], data: makeData(dtype, 1000) } }),
    );
    expect(((t as { t: Tensor }).t.data as { length: number }).length).toBe(1000);
  });
});

function makeData(dtype: DType, n: number): Tensor['data'] {
  switch (dtype) {
    case 'f32':
      return new Float32Array(n).fill(1.5);
    case 'f16':
    case 'bf16':
      return new Uint16Array(n).fill(0x3c00);
    case 'i32':
      return new Int32Array(n).fill(-3);
    case 'i64':
      return new BigInt64Array(n).fill(-3n);
    case 'i8':
      return new Int8Array(n).fill(-3);
    default:
      return new Uint8Array(n).fill(1);
  }
}
