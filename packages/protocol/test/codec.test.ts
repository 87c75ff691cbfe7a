import { decode as refDecode, encode as refEncode } from '@msgpack/msgpack';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValue } from '../src/decodeValue';
import { encodeValue } from '../src/encodeValue';
import { tensorArb } from './arbitraries';
import { codeOf, hex, unhex } from './codeOf';

/** Any value of the wire data model (spec §3.1), nested a little. */
const wireValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.bigInt({ min: -(2n ** 63n), max: 2n ** 64n - 1n }),
    fc.string({ unit: 'grapheme' }),
    fc.uint8Array({ maxLength: 40 }),
    tensorArb(),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ unit: 'grapheme', maxLength: 8 }), tie('value'), { maxKeys: 5 }),
  ),
})).value;

/** What decode(encode(v)) must give back: safe-range bigints come back as numbers (spec §3.1). */
function normalise(v: unknown): unknown {
  if (typeof v === 'bigint') return v >= -(2n ** 53n - 1n) && v <= 2n ** 53n - 1n ? Number(v) : v;
  if (Array.isArray(v)) return v.map(normalise);
  if (v !== null && typeof v === 'object' && !ArrayBuffer.isView(v) && !('dtype' in v)) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalise(x)]));
  }
  return v;
}

describe('canonical encoding (spec §3.2)', () => {
  const table: Array<[unknown, string]> = [
    [0, '00'],
    [127, '7f'],
    [128, 'cc80'],
    [255, 'ccff'],
    [256, 'cd0100'],
    [65_535, 'cdffff'],
    [65_536, 'ce00010000'],
    [2 ** 32 - 1, 'ceffffffff'],
    [2 ** 32, 'cf0000000100000000'],
    [2 ** 53 - 1, 'cf001fffffffffffff'],
    [-1, 'ff'],
    [-32, 'e0'],
    [-33, 'd0df'],
    [-128, 'd080'],
    [-129, 'd1ff7f'],
    [-32_768, 'd18000'],
    [-32_769, 'd2ffff7fff'],
    [-(2 ** 31), 'd280000000'],
    [-(2 ** 31) - 1, 'd3ffffffff7fffffff'],
    [2n ** 64n - 1n, 'cfffffffffffffffff'],
    [-(2n ** 63n), 'd38000000000000000'],
    [5n, '05'],
    [1.5, 'cb3ff8000000000000'],
    [-0, 'cb8000000000000000'],
    [Number.NaN, 'cb7ff8000000000000'],
    [2 ** 53, 'cb4340000000000000'],
    [null, 'c0'],
    [true, 'c3'],
    [false, 'c2'],
    ['', 'a0'],
    ['a'.repeat(31), `bf${'61'.repeat(31)}`],
    ['a'.repeat(32), `d920${'61'.repeat(32)}`],
    ['a'.repeat(256), `da0100${'61'.repeat(256)}`],
    ['é', 'a2c3a9'],
    ['😀', 'a4f09f9880'],
    ['\uFEFF', 'a3efbbbf'],
    [new Uint8Array([1, 2]), 'c4020102'],
    [new Uint8Array(256), `c50100${'00'.repeat(256)}`],
    [[], '90'],
    [new Array(16).fill(0), `dc0010${'00'.repeat(16)}`],
    [{}, '80'],
    [{ b: 1, a: 2 }, '82a16102a16201'],
    [{ aa: 1, b: 2 }, '82a2616101a16202'],
    [{ '\uFFFF': 1, '😀': 2 }, '82a3efbfbf01a4f09f988002'],
    [{ x: undefined, y: 1 }, '81a17901'],
  ];
  it.each(table)('encodes %o as its shortest form', (value, expected) => {
    expect(hex(encodeValue(value))).toBe(expected);
  });

  it('sorts keys by UTF-8 bytes, not UTF-16 units', () => {
    // U+FFFF (ef bf bf) sorts before U+1F600 (f0 9f 98 80) in UTF-8; in UTF-16 the surrogate comes first.
    const frame = encodeValue({ '😀': 1, '\uFFFF': 2 });
    expect(hex(frame).indexOf('efbfbf')).toBeLessThan(hex(frame).indexOf('f09f9880'));
  });

  it.each([
    ['a function', () => 1],
    ['a symbol', Symbol('x')],
    ['undefined', undefined],
    ['a Date', new Date(0)],
    ['a Map', new Map()],
    ['a bare typed array', new Float32Array(2)],
    ['undefined inside an array', [1, undefined]],
    ['a lone surrogate', '\uD800x'],
    ['a bigint past 64 bits', 2n ** 64n],
    ['a tensor whose data disagrees with its shape', { dtype: 'f32', shape: [3], data: new Float32Array(2) }],
    [
      'a tensor whose data type disagrees with its dtype',
      { dtype: 'f32', shape: [2], data: new Int32Array(2) },
    ],
  ])('refuses %s with bad_request', (_name, value) => {
    expect(codeOf(() => encodeValue(value))).toBe('bad_request');
  });
});

describe('decoder', () => {
  it('round-trips every wire value (property)', () => {
    fc.assert(
      fc.property(wireValue, (v) => {
        expect(decodeValue(encodeValue(v))).toStrictEqual(normalise(v));
      }),
      { numRuns: 300 },
    );
  });

  it('re-encodes what it decoded byte for byte (property)', () => {
    fc.assert(
      fc.property(wireValue, (v) => {
        const once = encodeValue(v);
        expect(hex(encodeValue(decodeValue(once)))).toBe(hex(once));
      }),
      { numRuns: 300 },
    );
  });

  it('agrees with @msgpack/msgpack on values without tensors (differential)', () => {
    const plain = fc.letrec((tie) => ({
      value: fc.oneof(
        { depthSize: 'small' },
        fc.constant(null),
        fc.boolean(),
        fc.integer(),
        // @msgpack/msgpack writes -0 as the integer 0; the canonical form keeps it a float64 (spec §3.2)
        fc.double({ noNaN: true }).filter((x) => !Object.is(x, -0)),
        fc.string(),
        fc.uint8Array({ maxLength: 40 }),
        fc.array(tie('value'), { maxLength: 5 }),
        fc.dictionary(fc.string({ maxLength: 8 }), tie('value'), { maxKeys: 5 }),
      ),
    })).value;
    fc.assert(
      fc.property(plain, (v) => {
        const ours = encodeValue(v);
        expect(refDecode(ours)).toStrictEqual(refDecode(refEncode(v, { sortKeys: true })));
        expect(decodeValue(refEncode(v))).toStrictEqual(normalise(v));
      }),
      { numRuns: 300 },
    );
  });

  it('accepts non-shortest integer and length forms, and float32', () => {
    expect(decodeValue(unhex('cf0000000000000005'))).toBe(5);
    expect(decodeValue(unhex('d3fffffffffffffffb'))).toBe(-5);
    expect(decodeValue(unhex('cd0001'))).toBe(1);
    expect(decodeValue(unhex('ca3fc00000'))).toBe(1.5);
    expect(decodeValue(unhex('db00000001 61'))).toBe('a');
    expect(decodeValue(unhex('dd0000000101'))).toEqual([1]);
    expect(decodeValue(unhex('df00000001a16101'))).toEqual({ a: 1 });
  });

  it('returns integers past 2^53 as bigint, others as number', () => {
    expect(decodeValue(unhex('cf0020000000000000'))).toBe(2n ** 53n);
    expect(decodeValue(unhex('d3ffe0000000000000'))).toBe(-(2n ** 53n));
    expect(decodeValue(unhex('cf001fffffffffffff'))).toBe(2 ** 53 - 1);
  });

  it('keeps a __proto__ key as data without touching the prototype', () => {
    const v = decodeValue(unhex('81a95f5f70726f746f5f5f81a17801')) as Record<string, unknown>;
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(Object.keys(v)).toEqual(['__proto__']);
    expect(hex(encodeValue(v))).toBe('81a95f5f70726f746f5f5f81a17801');
  });

  it('returns bins as views into the frame (no copy)', () => {
    const frame = unhex('c403010203');
    const bin = decodeValue(frame) as Uint8Array;
    expect(bin.constructor).toBe(Uint8Array);
    expect(bin.buffer).toBe(frame.buffer);
  });

  it.each([
    ['empty input', ''],
    ['truncated uint32', 'ce0000'],
    ['truncated string', 'a3616263'.slice(0, 6)],
    ['truncated bin', 'c40501'],
    ['array shorter than declared', '9301'],
    ['map missing a value', '81a161'],
    ['trailing bytes', '0000'],
    ['reserved type byte 0xc1', 'c1'],
    ['integer map key', '810101'],
    ['nil map key', '81c001'],
    ['duplicate key', '82a16101a16102'],
    ['invalid UTF-8', 'a2c328'],
    ['overlong UTF-8', 'a2c0af'],
    ['UTF-8 surrogate', 'a3eda080'],
    ['timestamp extension', 'd6ff00000000'],
    ['unknown extension type 2', 'd40200'],
    ['map with the reserved tensor keys', '83a464617461c400a56474797065a27538a5736861706590'],
  ])('rejects %s with bad_frame', (_name, h) => {
    expect(codeOf(() => decodeValue(unhex(h)))).toBe('bad_frame');
  });
});
